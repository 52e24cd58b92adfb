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

/** A small experiment for these tests: `fields` gives its id, env, budget, demos and conditions. */
export function tinyExperiment(fields: Record<string, unknown>): Experiment {
  return experimentSchema.parse({ title: "t", postSummary: "-", ...fields });
}
