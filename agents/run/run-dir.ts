/**
 * The layout of a run directory (docs/architecture.md §2.3): `config.json`, `metrics.jsonl`, `checkpoints/`
 * (see checkpoint.ts) and `plots/`. Kept in one place so that `train`, `--resume`, `eval` and the
 * experiment scripts agree on it.
 */
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic-write.js";
import { ConfigError } from "../config-error.js";

export interface RunPaths {
  root: string;
  config: string;
  metrics: string;
  checkpoints: string;
  plots: string;
}

export function runPaths(root: string): RunPaths {
  return {
    root,
    config: join(root, "config.json"),
    metrics: join(root, "metrics.jsonl"),
    checkpoints: join(root, "checkpoints"),
    plots: join(root, "plots"),
  };
}

/**
 * Starts a run: creates the directory and writes `config.json`. Refuses a directory that already
 * holds a run, so that a second run never mixes its metrics into the first (resume instead).
 */
export function createRunDir(root: string, config: unknown): RunPaths {
  const paths = runPaths(root);
  if (existsSync(paths.config))
    throw new ConfigError(`${root} already holds a run (config.json exists): resume it or choose another directory`);
  mkdirSync(paths.checkpoints, { recursive: true });
  mkdirSync(paths.plots, { recursive: true });
  writeFileAtomic(paths.config, `${JSON.stringify(config, null, 2)}\n`);
  return paths;
}

/** The config a run was started with, for `--resume`. */
export function readRunConfig(root: string): unknown {
  const { config } = runPaths(root);
  if (!existsSync(config)) throw new ConfigError(`${root} is not a run directory: no config.json`);
  return JSON.parse(readFileSync(config, "utf8"));
}

/**
 * Raises a run's budget to `steps` env steps before it is resumed (`train --resume --steps N`),
 * so a run that stopped short of its mark goes on instead of starting over. The buffers grow to
 * the new budget when the checkpoint loads; until a ring wraps the extended run equals a run
 * started with the larger budget. A budget is never lowered: a shorter run is an earlier
 * checkpoint of this one.
 */
export function extendRunBudget(root: string, steps: number): void {
  const config = readRunConfig(root);
  const current = budgetOf(config, root);
  if (!Number.isInteger(steps) || steps < current)
    throw new ConfigError(`--steps ${steps} cannot extend ${root}: its budget is already ${current} env steps (a budget only grows)`);
  if (steps === current) return;
  // `policy/` is the final policy of the budget in config.json: the shorter budget's is kept beside
  // it under its own name, so that neither `policy/` nor the experiment runner takes the run for done.
  const policy = join(root, "policy");
  if (existsSync(policy)) renameSync(policy, join(root, `policy-at-${current}`));
  writeFileAtomic(runPaths(root).config, `${JSON.stringify({ ...(config as object), steps }, null, 2)}\n`);
}

/** The env-step budget of the run in `root` (its config.json's `steps`). */
export function runBudget(root: string): number {
  return budgetOf(readRunConfig(root), root);
}

function budgetOf(config: unknown, root: string): number {
  const steps = typeof config === "object" && config !== null ? (config as { steps?: unknown }).steps : undefined;
  if (typeof steps !== "number") throw new ConfigError(`${root}/config.json has no numeric steps`);
  return steps;
}
