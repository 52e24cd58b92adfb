/**
 * The layout of a run directory (DESIGN.md): `config.json`, `metrics.jsonl`, `checkpoints/`
 * (see checkpoint.ts) and `plots/`. Kept in one place so that `train`, `--resume`, `eval` and the
 * experiment scripts agree on it.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic-write.js";

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
  if (existsSync(paths.config)) throw new Error(`${root} already holds a run (config.json exists): resume it or choose another directory`);
  mkdirSync(paths.checkpoints, { recursive: true });
  mkdirSync(paths.plots, { recursive: true });
  writeFileAtomic(paths.config, `${JSON.stringify(config, null, 2)}\n`);
  return paths;
}

/** The config a run was started with, for `--resume`. */
export function readRunConfig(root: string): unknown {
  const { config } = runPaths(root);
  if (!existsSync(config)) throw new Error(`${root} is not a run directory: no config.json`);
  return JSON.parse(readFileSync(config, "utf8"));
}
