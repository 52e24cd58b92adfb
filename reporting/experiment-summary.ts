/**
 * The figures an experiment reports per run, computed the post's way (docs/original-code.md §3.10): the
 * trailing average of training-episode return (or of evaluations: a shadow learner's, E5).
 */
import type { MetricsRow } from "../agents/run/metrics-log.js";
import { trailingMovingAverage } from "./moving-average.js";
import type { ReturnMetric } from "../experiments/experiment-config.js";

export interface RunSummary {
  seed: number;
  /**
   * Env steps at which the 100-episode average return first reached the threshold (-100 by
   * default), counted from the 100th episode on; null if never.
   */
  stepsToThreshold: number | null;
  /**
   * Env steps at which that average first reached the start threshold (-190 by default): where
   * learning starts, which a shortened budget can compare when a condition never reaches -100.
   */
  stepsToStart: number | null;
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

export interface SummaryOptions {
  /** @defaultValue "train/return" */
  metric?: ReturnMetric;
  /** @defaultValue -100 */
  threshold?: number;
  /** @defaultValue -190 */
  startThreshold?: number;
}

/** Evaluations are averaged over the last 5: with E5's 10 episodes each, about the post's 50-episode smoothing of its shadow plot. */
export const EVAL_WINDOW = 5;

/** Training returns are averaged over the last 100 episodes, evaluations over the last EVAL_WINDOW. */
export function summariseRun(rows: readonly MetricsRow[], seed: number, options: SummaryOptions = {}): RunSummary {
  const { metric = "train/return", threshold = -100, startThreshold = -190 } = options;
  const successMetric = metric.replace("/return", "/success");
  const episodes = rows.filter((r) => typeof r[metric] === "number");
  const returns = episodes.map((r) => r[metric] as number);
  const success = episodes.map((r) => (r[successMetric] as number | undefined) ?? 0);
  const training = metric === "train/return";
  const index = training ? episodes.map((r) => r.episode) : undefined;
  const window = training ? 100 : EVAL_WINDOW;
  const avgReturn = trailingMovingAverage(returns, window, index);
  const avgSuccess = trailingMovingAverage(success, window, index);
  // The crossing counts once the window is full: the average of a lucky first episode or two
  // (a short relay finetune, E6) is not a 100-episode average.
  const stepsTo = (level: number): number | null => {
    const hit = avgReturn.findIndex((v, i) => i >= window - 1 && v >= level);
    return hit < 0 ? null : episodes[hit]!.step;
  };
  const last = episodes.length - 1;
  const pre = rows.find((r) => typeof r["pretrain/eval/return"] === "number");
  const pretrained = (prefix: string): PretrainedSummary => ({
    return: pre![`${prefix}/return`]!,
    success: pre![`${prefix}/success`] ?? NaN,
    reachedOnce: pre![`${prefix}/reached_once`] ?? NaN,
  });
  return {
    ...(pre
      ? {
          pretrained: {
            ...pretrained("pretrain/eval"),
            ...(typeof pre["pretrain/eval_demo_starts/return"] === "number"
              ? { onDemoStarts: pretrained("pretrain/eval_demo_starts") }
              : {}),
          },
        }
      : {}),
    seed,
    stepsToThreshold: stepsTo(threshold),
    stepsToStart: stepsTo(startThreshold),
    finalReturn: last < 0 ? NaN : avgReturn[last]!,
    finalSuccess: last < 0 ? NaN : avgSuccess[last]!,
    steps: rows.length === 0 ? 0 : rows[rows.length - 1]!.step,
  };
}

/** Mean of the seeds' steps to a crossing, or null when any seed never got there. */
export function meanSteps(steps: readonly (number | null)[]): number | null {
  const reached = steps.filter((s): s is number => s !== null);
  if (steps.length === 0 || reached.length < steps.length) return null;
  return reached.reduce((a, s) => a + s, 0) / reached.length;
}
