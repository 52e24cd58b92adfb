/**
 * The `rapier-gym` children of `rapier-gym experiment` (trainers and demo collectors): each a
 * process of its own, logging to a file, and all of them stopped with this process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";

const CLI = new URL("./bin.js", import.meta.url).pathname;

/** The children running now. */
const children = new Set<ChildProcess>();

// Each child has a process group of its own, so nothing else stops it when this process ends
// without waiting for it (an uncaught error, a second Ctrl-C, a test that timed out): it would
// train on unwatched, holding its run's lock and a core. It ends with this process instead.
process.on("exit", () => signalChildren("SIGKILL"));

/** Runs `rapier-gym <args>` with its output appended to `logFile`; resolves with its exit code. */
export function spawnCli(args: string[], logFile: string): Promise<number> {
  const log = openSync(logFile, "a");
  // Its own process group: a terminal's Ctrl-C reaches only this process, which passes it on
  // once; a second copy from the terminal would stop the run before its checkpoint.
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", log, log], detached: true });
  closeSync(log); // the child holds its own copy
  children.add(child);
  return new Promise((resolve) =>
    child.on("exit", (code) => {
      children.delete(child);
      resolve(code ?? 1);
    }),
  );
}

/** Passes `signal` on to every child running now. */
export function signalChildren(signal: NodeJS.Signals): void {
  for (const child of children) child.kill(signal);
}
