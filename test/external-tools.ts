/**
 * The programs some tests need from outside npm: a Chromium-family browser (the viewer's tests)
 * and python3 with websockets and numpy (the Python client's). They are looked for where users
 * keep them, so that `npm test` passes on a bare machine, on macOS and on Windows; where one is
 * missing, the tests that need it are skipped with one line that says how to enable them, except
 * under CI, where they fail naming it: a CI run must not go green by skipping them.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { posix, win32 } from "node:path";
import { slurmAvailable } from "../cli/slurm-array.js";

/** A program found (its path), or why none was, with how to get one. */
export type Found = { path: string } | { missing: string };

/** What a search reads from the machine: injectable, so that the search itself can be tested. */
export interface Machine {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  isExecutable(path: string): boolean;
}

/** Why `python` cannot run the Python client (a module it lacks), or null when it can. */
export type PythonProbe = (python: string) => string | null;

const thisMachine: Machine = { env: process.env, platform: process.platform, isExecutable };

const BROWSER_NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"];
const GET_BROWSER = "install Chromium (Debian/Ubuntu: apt-get install chromium) or Chrome, or set CHROME_PATH to its executable";
const GET_PYTHON =
  "install them (Debian/Ubuntu: apt-get install python3 python3-websockets python3-numpy; elsewhere: pip install websockets numpy)";

/**
 * The browser: CHROME_PATH when set (and then only it: a path the user gave that is wrong is
 * reported, not silently replaced), else the first Chromium or Chrome on PATH, else the first in
 * the usual install locations of the platform.
 */
export function findBrowser(machine: Machine = thisMachine): Found {
  const given = machine.env["CHROME_PATH"];
  if (given)
    return machine.isExecutable(given) ? { path: given } : { missing: `CHROME_PATH=${given} is not an executable file: ${GET_BROWSER}` };
  const path = [...onPath(machine, BROWSER_NAMES), ...browserLocations(machine)].find((p) => machine.isExecutable(p));
  if (path !== undefined) return { path };
  return {
    missing: `no Chromium or Chrome found (CHROME_PATH unset; none of ${BROWSER_NAMES.join(", ")} on PATH; none in the usual install locations): ${GET_BROWSER}`,
  };
}

/**
 * The first python3 on PATH that imports websockets and numpy, then Debian's /usr/bin/python3
 * (where apt-get installs them, often behind a pyenv or virtualenv python3 that lacks them).
 */
export function findPython(machine: Machine = thisMachine, probe: PythonProbe = importsClientModules): Found {
  const names = machine.platform === "win32" ? ["python3", "python"] : ["python3"];
  const candidates = [...new Set([...onPath(machine, names), ...(machine.platform === "win32" ? [] : ["/usr/bin/python3"])])].filter((p) =>
    machine.isExecutable(p),
  );
  const problems: string[] = [];
  for (const python of candidates) {
    const problem = probe(python);
    if (problem === null) return { path: python };
    problems.push(`${python}: ${problem}`);
  }
  const why = problems.length > 0 ? problems.join("; ") : "no python3 on PATH";
  return { missing: `no python3 with websockets and numpy (${why}): ${GET_PYTHON}` };
}

/**
 * A Slurm cluster this machine can submit to: sbatch on PATH and a controller that answers
 * `scontrol ping` (scripts/local-slurm.sh brings up a single-node one).
 */
export function findSlurm(): Found {
  return slurmAvailable() ? { path: "sbatch" } : { missing: `no Slurm controller answers here (scontrol ping): ${GET_SLURM}` };
}

const GET_SLURM = "start a single-node cluster with `sudo scripts/local-slurm.sh up` (it installs Slurm with apt-get where it is missing)";

/** Whether CI is set: any value but empty, "false" or "0" (GitHub, GitLab and .ci/run set "true"). */
export function inCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env["CI"];
  return ci !== undefined && ci !== "" && ci !== "false" && ci !== "0";
}

/**
 * The found program's path; when it is missing, skips the calling test or hook (`context`) with
 * one line naming `tests` and how to enable them, or, under CI, fails naming what is missing.
 */
export function requireTool(
  context: Pick<Mocha.Context, "skip">,
  tests: string,
  found: Found,
  options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {},
): string {
  if ("path" in found) return found.path;
  if (inCI(options.env)) throw new Error(`${tests} cannot run, and CI is set, so they fail rather than skip: ${found.missing}`);
  (options.log ?? console.log)(`  !! SKIPPED ${tests}: ${found.missing}`);
  return context.skip();
}

/** Each name in each PATH directory, in PATH's order (with .exe on Windows). */
function onPath(machine: Machine, names: readonly string[]): string[] {
  const windows = machine.platform === "win32";
  const path = windows ? win32 : posix;
  const dirs = (machine.env["PATH"] ?? machine.env["Path"] ?? "").split(path.delimiter).filter((d) => d !== "");
  return dirs.flatMap((dir) => names.map((name) => path.join(dir, windows ? `${name}.exe` : name)));
}

/** Where Chromium and Chrome install themselves on each platform. */
function browserLocations(machine: Machine): string[] {
  const { env } = machine;
  if (machine.platform === "darwin") {
    const apps = ["/Applications", ...(env["HOME"] ? [posix.join(env["HOME"], "Applications")] : [])];
    return apps.flatMap((dir) => [
      posix.join(dir, "Google Chrome.app/Contents/MacOS/Google Chrome"),
      posix.join(dir, "Chromium.app/Contents/MacOS/Chromium"),
    ]);
  }
  if (machine.platform === "win32") {
    const roots = [env["LOCALAPPDATA"], env["PROGRAMFILES"], env["PROGRAMFILES(X86)"]].filter(
      (r): r is string => r !== undefined && r !== "",
    );
    return roots.flatMap((root) => [
      win32.join(root, "Google", "Chrome", "Application", "chrome.exe"),
      win32.join(root, "Chromium", "Application", "chrome.exe"),
    ]);
  }
  return [
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
    "/snap/bin/chromium",
    "/opt/google/chrome/chrome",
  ];
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false; // absent, or not ours to run: either way not a program these tests can use
  }
}

function importsClientModules(python: string): string | null {
  const run = spawnSync(python, ["-c", "import websockets, numpy"], { encoding: "utf8" });
  if (run.error) return run.error.message;
  if (run.status === 0) return null;
  return run.stderr.trim().split("\n").at(-1) || `exited with ${run.status}`;
}
