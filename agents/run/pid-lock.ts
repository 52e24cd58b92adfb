/**
 * Lock files that hold the pid of their owner. Two processes writing one run directory interleave
 * their metrics and overwrite each other's checkpoints; a lock whose owner has died (a crash, a
 * kill -9, the end of a sitting) must not block the resume, so a lock is live only while its
 * process is. Node has no portable advisory file lock, hence this small hand-written one.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../config-error.js";

/**
 * Creates `path` exclusively with this process's pid, taking it over when its owner is gone.
 * Returns the release function, or null when a live process (this one included) holds it.
 */
export function claimPidLock(path: string): (() => void) | null {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: "wx" });
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (processAlive(lockOwner(path))) return null;
      rmSync(path, { force: true }); // stale: its process died without releasing it
    }
  }
  return null;
}

/**
 * Claims the run directory `root` for the process that trains it, through `root/train.lock`, or
 * throws naming the process that holds it.
 */
export function lockRunDir(root: string): () => void {
  if (!existsSync(root)) throw new ConfigError(`${root} is not a run directory: it does not exist`);
  const path = join(root, "train.lock");
  const release = claimPidLock(path);
  if (release === null) {
    throw new ConfigError(`${root} is being trained by process ${lockOwner(path)} (${path}); stop it first, or delete the lock if no such process trains it`);
  }
  return release;
}

function lockOwner(path: string): number {
  try {
    return Number(readFileSync(path, "utf8"));
  } catch {
    return NaN; // released between the failed create and this read
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
