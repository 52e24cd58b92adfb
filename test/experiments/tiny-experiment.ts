/** What the experiment tests share: a throwaway directory and a small experiment config. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { experimentSchema, type Experiment } from "../../experiments/experiment-config.js";

/** Runs `body` in a fresh temp directory, removed afterwards whatever happens. */
export async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "rapier-gym-exp-"));
  try {
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A condition's `post` field where the post gives nothing to compare with. */
export const post = { text: "-", stepsToThreshold: null };

/**
 * `runExperiment`'s arguments for experiment `id` of `experiments` (read afresh each call, so a
 * test may replace one), with its runs and results under `dir`: one seed, one job.
 */
export function argsIn(dir: string, experiments: Readonly<Record<string, Experiment>>) {
  const load = (id: string): Experiment => {
    const e = experiments[id];
    if (e === undefined) throw new Error(`no experiment ${id} in this test`);
    return e;
  };
  return (id: string) => ({
    id,
    experiment: load(id),
    load,
    seeds: 1,
    jobs: 1,
    runsDir: join(dir, "runs", id),
    resultsDir: join(dir, "results", id),
  });
}

/** A small experiment for these tests: `fields` gives its id, env, budget, demos and conditions. */
export function tinyExperiment(fields: Record<string, unknown>): Experiment {
  return experimentSchema.parse({ title: "t", postSummary: "-", ...fields });
}
