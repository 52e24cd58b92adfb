/**
 * The figures an experiment reports per run, computed the post's way (seed-code-notes §3.10): the
 * trailing average of training-episode return (or of a shadow learner's evaluations).
 */
import type { MetricsRow } from "../agents/train/metrics-log.js";
import { trailingMovingAverage } from "../agents/train/moving-average.js";

export interface RunSummary {
  seed: number;
  /**
   * Env steps at which the 100-episode average return first reached the threshold (-100 by
   * default), counted from the 100th episode on; null if never.
   */
  stepsToThreshold: number | null;
  /** Average return and success over the last 100 training episodes. */
  finalReturn: number;
  finalSuccess: number;
  /** Env steps the run reached. */
  steps: number;
  /**
   * A relay run's pretrained-only evaluation, before any finetuning (E6), on fresh start states
   * and on the training demos' own.
   */
  pretrained?: PretrainedSummary & { onDemoStarts?: PretrainedSummary };
}

export interface PretrainedSummary {
  return: number;
  success: number;
  reachedOnce: number;
}

/**
 * Training returns are averaged over the last 100 episodes; evaluations (a shadow learner's, 10
 * episodes each) over the last 5, about the post's 50-episode smoothing of its shadow plot.
 */
export function summariseRun(rows: readonly MetricsRow[], seed: number, metric: "train/return" | "shadow/eval/return" = "train/return", threshold = -100): RunSummary {
  const successMetric = metric.replace("/return", "/success");
  const episodes = rows.filter((r) => typeof r[metric] === "number");
  const returns = episodes.map((r) => r[metric] as number);
  const success = episodes.map((r) => (r[successMetric] as number | undefined) ?? 0);
  const training = metric === "train/return";
  const index = training ? episodes.map((r) => r.episode) : undefined;
  const window = training ? 100 : 5;
  const avgReturn = trailingMovingAverage(returns, window, index);
  const avgSuccess = trailingMovingAverage(success, window, index);
  // The crossing counts once the window is full: the average of a lucky first episode or two
  // (a short relay finetune, E6) is not a 100-episode average.
  const hit = avgReturn.findIndex((v, i) => i >= window - 1 && v >= threshold);
  const last = episodes.length - 1;
  const pre = rows.find((r) => typeof r["pretrain/eval/return"] === "number");
  const pretrained = (prefix: string): PretrainedSummary => ({ return: pre![`${prefix}/return`]!, success: pre![`${prefix}/success`] ?? NaN, reachedOnce: pre![`${prefix}/reached_once`] ?? NaN });
  return {
    ...(pre ? { pretrained: { ...pretrained("pretrain/eval"), ...(typeof pre["pretrain/eval_demo_starts/return"] === "number" ? { onDemoStarts: pretrained("pretrain/eval_demo_starts") } : {}) } } : {}),
    seed,
    stepsToThreshold: hit < 0 ? null : episodes[hit]!.step,
    finalReturn: last < 0 ? NaN : avgReturn[last]!,
    finalSuccess: last < 0 ? NaN : avgSuccess[last]!,
    steps: rows.length === 0 ? 0 : rows[rows.length - 1]!.step,
  };
}

/** Mean of the seeds' steps to the threshold, or null when any seed never got there. */
export function meanStepsToThreshold(runs: readonly RunSummary[]): number | null {
  if (runs.length === 0 || runs.some((r) => r.stepsToThreshold === null)) return null;
  return runs.reduce((a, r) => a + r.stepsToThreshold!, 0) / runs.length;
}
