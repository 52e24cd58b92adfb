/**
 * The demonstration sets an experiment's conditions name (`"$demos:<name>"` in a config): each
 * collected once, by a `rapier-gym collect` child, into the experiment's runs folder, before any
 * run that needs it starts.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { readDemoFile } from "../agents/demos/demo-file.js";
import { demoSteps } from "../agents/demos/demo-set.js";
import { claimPidLock } from "../agents/run/pid-lock.js";
import { ProgressBar } from "./progress-bar.js";
import { ConfigError } from "../agents/config-error.js";
import { EXPERIMENTS_DIR, slug, type DemoSpec, type Experiment } from "../experiments/experiment-config.js";
import { loggedProgress } from "./experiment-progress.js";
import { spawnCli } from "./spawn-cli.js";

/** Where each named demo set of the experiment lives: name -> path. */
export function demoPaths(e: Experiment, runsDir: string): Record<string, string> {
  return Object.fromEntries(Object.keys(e.demos).map((name) => [name, join(runsDir, `demos-${slug(name)}.bin`)]));
}

/**
 * `collectDemoSets` by one process at a time: of several invocations (two on one machine, or a
 * Slurm array's tasks), the first collects each set and the others wait for it, instead of each
 * collecting the same set.
 */
export async function collectDemoSetsOnce(e: Experiment, runsDir: string): Promise<Record<string, string>> {
  const files = demoPaths(e, runsDir);
  const lock = join(runsDir, "demos.lock");
  for (;;) {
    if (Object.values(files).every((f) => existsSync(f))) return checkedDemoSets(e, files);
    const release = claimPidLock(lock);
    if (release !== null) {
      try {
        return await collectDemoSets(e, runsDir);
      } finally {
        release();
      }
    }
    await sleep(DEMO_LOCK_POLL_MS);
  }
}

/**
 * `files`, once each is the set its spec asks for. A set collected before the experiment's JSON
 * changed its env, reward, episode length, source or size would otherwise be reused under the
 * new spec without a word; it is refused by name instead, and left as it is, as the runs trained
 * from it may be worth keeping.
 */
function checkedDemoSets(e: Experiment, files: Record<string, string>): Record<string, string> {
  for (const [name, spec] of Object.entries(e.demos)) {
    const why = demoSetMismatch(files[name]!, spec, e.env);
    if (why !== null)
      throw new ConfigError(
        `${e.id}'s demo set "${name}": ${files[name]} ${why}; move it aside (with the runs trained from it) to collect it again`,
      );
  }
  return files;
}

/** How the demo file at `file` differs from what `spec` collects on `env` (the experiment's), or null. */
function demoSetMismatch(file: string, spec: DemoSpec, env: string): string | null {
  const set = readDemoFile(file);
  const steps = demoSteps(set);
  const wanted = spec.env ?? env;
  if (set.env !== wanted) return `holds demos of ${set.env}, the spec asks for ${wanted}`;
  if (!isDeepStrictEqual(set.envKwargs, spec.envKwargs))
    return `was collected with envKwargs ${JSON.stringify(set.envKwargs)}, the spec asks for ${JSON.stringify(spec.envKwargs)}`;
  if (set.horizon !== spec.maxEpisodeSteps)
    return `holds episodes of up to ${set.horizon} steps, the spec asks for ${spec.maxEpisodeSteps}`;
  if (set.source.startsWith("expert") !== (spec.source === "expert"))
    return `was collected from ${set.source}, the spec asks for ${spec.source}`;
  // The collector stops at the first episode that takes it to the spec's steps.
  if (steps < spec.steps || steps - set.episodeLengths.at(-1)! >= spec.steps)
    return `holds ${steps.toLocaleString("en")} demo steps, the spec asks for ${spec.steps.toLocaleString("en")}`;
  return null;
}

/** How often a process waiting for another's demo collection looks again. */
const DEMO_LOCK_POLL_MS = 2000;

/**
 * Collects each named demo set the experiment needs, unless an earlier invocation did; returns
 * name -> path. A phase of its own before any run, with a bar over the demo steps of every set
 * still to collect, read from each collector's log.
 */
async function collectDemoSets(e: Experiment, runsDir: string): Promise<Record<string, string>> {
  const files = demoPaths(e, runsDir);
  const todo = Object.entries(e.demos).filter(([name]) => !existsSync(files[name]!));
  if (todo.length === 0) return files;
  const bar = new ProgressBar({ total: todo.reduce((sum, [, spec]) => sum + spec.steps, 0), label: `${e.id} demos` });
  let collected = 0;
  for (const [name, spec] of todo) {
    const out = files[name]!;
    const log = `${out}.log`;
    const from = existsSync(log) ? statSync(log).size : 0;
    const timer = setInterval(() => bar.update(collected + Math.min(spec.steps, loggedProgress(log, from))), 2000);
    const source = spec.source === "expert" ? "expert" : join(EXPERIMENTS_DIR, "..", spec.source);
    const args = [
      "collect",
      "--env",
      spec.env ?? e.env,
      "--source",
      source,
      "--steps",
      String(spec.steps),
      "--max-ep-len",
      String(spec.maxEpisodeSteps),
      "--seed",
      String(spec.seed),
      "--env-kwargs",
      JSON.stringify(spec.envKwargs),
      "--out",
      out,
    ];
    const code = await spawnCli(args, log).finally(() => clearInterval(timer));
    if (code !== 0) throw new Error(`collecting the "${name}" demos failed (log: ${log})`);
    collected += spec.steps;
    bar.update(collected);
  }
  bar.finish();
  return files;
}

/** Whether the config names any demo set ("$demos:<name>"), read as withDemoPaths reads it. */
export function namesDemoSet(value: unknown): boolean {
  if (typeof value === "string") return value.startsWith("$demos:");
  if (Array.isArray(value)) return value.some(namesDemoSet);
  if (typeof value === "object" && value !== null) return Object.values(value).some(namesDemoSet);
  return false;
}

/** The config with every "$demos:<name>" string replaced by that demo set's path. */
export function withDemoPaths(value: unknown, files: Record<string, string>): unknown {
  if (typeof value === "string" && value.startsWith("$demos:")) {
    const path = files[value.slice("$demos:".length)];
    if (path === undefined) throw new ConfigError(`config refers to ${value}, but the experiment defines no such demo set`);
    return path;
  }
  if (Array.isArray(value)) return value.map((v) => withDemoPaths(v, files));
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withDemoPaths(v, files)]));
  return value;
}
