/**
 * The plots of a run, and of several runs overlaid, drawn as the post drew them (docs/original-code.md
 * §3.10): return and success rate against env steps, training curves smoothed by a trailing
 * 100-episode moving average, seeds of one condition as a mean with a 95% band.
 *
 * Evaluation rounds are few and already averages over several episodes, so eval curves are drawn
 * unsmoothed.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../agents/run/atomic-write.js";
import { readMetrics, type MetricsRow } from "../agents/run/metrics-log.js";
import { trailingMovingAverage } from "./moving-average.js";
import { renderLinePlotSvg, type LinePlot, type PlotSeries } from "./plot-svg.js";
import { runPaths } from "../agents/run/run-dir.js";
import type { ReturnMetric } from "../experiments/experiment-config.js";
import { aggregateRuns, type Curve } from "./seed-aggregate.js";

/**
 * The metrics a run's plots show; per-episode ones (`train/*`, `hac/*`) are smoothed, evaluations
 * (`eval/*`, `shadow/eval/*`) are not.
 */
export type PlottedMetric =
  | "train/return"
  | "train/success"
  | "eval/return"
  | "eval/success"
  | "shadow/eval/return"
  | "shadow/eval/success"
  | "hac/subgoal_reached"
  | "hac/windows";

export interface SmoothingOptions {
  /** Moving-average window in training episodes. @defaultValue 100 */
  window?: number;
  /**
   * Moving-average window in evaluations, for a figure whose curves are judged by them (an
   * experiment's, where a crossing is read off the same average). @defaultValue 1 (unsmoothed)
   */
  evalWindow?: number;
}

/** One metric of one run against env steps; rows without the metric are skipped. */
export function metricCurve(rows: readonly MetricsRow[], metric: PlottedMetric, options: SmoothingOptions = {}): Curve {
  const have = rows.filter((r) => typeof r[metric] === "number" && Number.isFinite(r[metric]));
  const x = Float64Array.from(have, (r) => r.step);
  const raw = Float64Array.from(have, (r) => r[metric] ?? NaN);
  if (metric.includes("eval/")) return { x, y: trailingMovingAverage(raw, options.evalWindow ?? 1) };
  const episodes = Float64Array.from(have, (r) => r.episode);
  return { x, y: trailingMovingAverage(raw, options.window ?? 100, episodes) };
}

/** Return and success figures for one run, each with its train and (if logged) eval curves. */
export function runPlots(
  rows: readonly MetricsRow[],
  title: string,
  options: SmoothingOptions = {},
): { return: LinePlot; success: LinePlot } {
  const window = options.window ?? 100;
  const figure = (kind: "return" | "success"): LinePlot => {
    const series: PlotSeries[] = [];
    const train = metricCurve(rows, `train/${kind}`, options);
    if (train.x.length > 0) series.push({ label: `train (${window}-episode average)`, ...train });
    const evaluation = metricCurve(rows, `eval/${kind}`, options);
    if (evaluation.x.length > 0) series.push({ label: "eval", ...evaluation });
    return {
      title,
      xLabel: "Steps",
      yLabel: kind === "return" ? "Average Return" : "Success rate",
      series,
      ...(kind === "success" ? { yRange: [0, 1] as const } : {}),
    };
  };
  return { return: figure("return"), success: figure("success") };
}

/** Reads a run directory's metrics and writes `plots/return.svg` and `plots/success.svg`. */
export function writeRunPlots(root: string, title: string, options: SmoothingOptions = {}): string[] {
  const paths = runPaths(root);
  const plots = runPlots(readMetrics(paths.metrics), title, options);
  mkdirSync(paths.plots, { recursive: true });
  return (["return", "success"] as const).map((kind) => {
    const file = join(paths.plots, `${kind}.svg`);
    writeFileAtomic(file, renderLinePlotSvg(plots[kind]));
    return file;
  });
}

/** One condition of a comparison: its label and the metrics of each of its seeds. */
export interface RunGroup {
  label: string;
  runs: readonly (readonly MetricsRow[])[];
  /** This group's return metric, when not the figure's (evaluations); its success metric follows. */
  returnMetric?: ReturnMetric;
}

export interface ComparisonOptions extends SmoothingOptions {
  title: string;
  /** @defaultValue "Average Return" for returns, "Success rate" for success */
  yLabel?: string;
  /** Fixed y axis. @defaultValue [0, 1] for success, else fitted to the curves */
  yRange?: readonly [number, number];
  /** Grid points of each aggregated curve. @defaultValue 200 */
  points?: number;
}

/**
 * A group's own version of a figure's metric: a group judged by evaluations shows those for
 * return and success, and nothing of the training episodes' (`hac/*`), which another group draws.
 */
function groupMetric(group: RunGroup, metric: PlottedMetric): PlottedMetric | null {
  const own = group.returnMetric ?? "train/return";
  if (own === "train/return") return metric;
  if (metric === "train/return") return own;
  if (metric === "train/success") return own === "eval/return" ? "eval/success" : "shadow/eval/success";
  return null;
}

/** Conditions overlaid, each as the mean of its seeds' smoothed curves with a 95% band. */
export function comparisonPlot(groups: readonly RunGroup[], metric: PlottedMetric, options: ComparisonOptions): LinePlot {
  const series = groups.flatMap((group): PlotSeries[] => {
    const own = groupMetric(group, metric);
    if (own === null) return [];
    const curves = group.runs.map((rows) => metricCurve(rows, own, options)).filter((c) => c.x.length > 0);
    if (curves.length === 0) return [];
    const agg = aggregateRuns(curves, options.points ?? 200);
    return [{ label: `${group.label} (n=${curves.length})`, x: agg.x, y: agg.mean, lower: agg.lower, upper: agg.upper }];
  });
  const success = metric.endsWith("/success");
  const yRange = options.yRange ?? (success ? ([0, 1] as const) : undefined);
  return {
    title: options.title,
    xLabel: "Steps",
    yLabel: options.yLabel ?? (success ? "Success rate" : "Average Return"),
    series,
    ...(yRange ? { yRange } : {}),
  };
}
