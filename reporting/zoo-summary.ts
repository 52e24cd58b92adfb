/**
 * The figures a zoo entry reports per run (experiments/zoo/): a Panda task is judged by how often
 * the deterministic policy succeeds, as panda-gym's and the RL Zoo's tables judge it, so every
 * figure here is read off the evaluations, averaged over the last EVAL_WINDOW of them (100
 * episodes at the zoo's 20 per evaluation).
 */
import type { MetricsRow } from "../agents/run/metrics-log.js";
import { EVAL_WINDOW } from "./experiment-summary.js";
import { trailingMovingAverage } from "./moving-average.js";

/** The success rates whose first crossing the zoo's table gives. */
export const ZOO_LEVELS = [0.5, 0.9] as const;

export interface ZooRunSummary {
  seed: number;
  /** Env steps the run reached. */
  steps: number;
  /** Mean eval success over the last EVAL_WINDOW evaluations; NaN before the first. */
  finalSuccess: number;
  /** Env steps at which that average first reached each of ZOO_LEVELS (keyed "0.5", "0.9"); null if never. */
  stepsTo: Record<string, number | null>;
  /** Seconds of training the run took, over all its sittings; null for a run logged (even in part) before `time/elapsed_s`. */
  wallClockS: number | null;
  /** Eval success of the policy BC pretraining left (`bc.pretrainSteps`), before any env step; null without pretraining. */
  pretrainedSuccess: number | null;
}

export function summariseZooRun(rows: readonly MetricsRow[], seed: number): ZooRunSummary {
  const evals = rows.filter((r) => typeof r["eval/success"] === "number");
  const avg = trailingMovingAverage(
    evals.map((r) => r["eval/success"] as number),
    EVAL_WINDOW,
  );
  const stepsTo = Object.fromEntries(
    ZOO_LEVELS.map((level) => {
      // Counted once the window is full, as an experiment's crossings are.
      const hit = avg.findIndex((v, i) => i >= EVAL_WINDOW - 1 && v >= level);
      return [String(level), hit < 0 ? null : evals[hit]!.step];
    }),
  );
  return {
    seed,
    steps: rows.at(-1)?.step ?? 0,
    finalSuccess: evals.length === 0 ? NaN : avg[avg.length - 1]!,
    stepsTo,
    wallClockS: wallClock(rows),
    pretrainedSuccess:
      (rows.find((r) => typeof r["pretrain/eval/success"] === "number")?.["pretrain/eval/success"] as number | undefined) ?? null,
  };
}

/**
 * A run's training time: `time/elapsed_s` counts from the start of each sitting (a resumed run
 * starts again from 0), so the run's time is the sum of each sitting's last value. The steps a
 * crash lost after the last checkpoint are not in the metrics, nor their time.
 */
export function wallClock(rows: readonly MetricsRow[]): number | null {
  const episodes = rows.filter((r) => typeof r["train/return"] === "number");
  // A run some of whose sittings were logged before the field existed has no whole figure.
  if (episodes.length === 0 || episodes.some((r) => typeof r["time/elapsed_s"] !== "number")) return null;
  const elapsed = episodes.map((r) => r["time/elapsed_s"] as number);
  let total = 0;
  elapsed.forEach((e, i) => {
    const next = elapsed[i + 1];
    if (next === undefined || next < e) total += e;
  });
  return total;
}

/** Mean, lowest and highest of the seeds' values that are numbers; null when none is. */
export function spread(values: readonly number[]): { mean: number; min: number; max: number } | null {
  const xs = values.filter((v) => Number.isFinite(v));
  if (xs.length === 0) return null;
  return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs) };
}
