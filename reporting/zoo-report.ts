/**
 * A zoo entry's results folder (results/zoo/<env>/): summary.json (per condition and seed: final
 * eval success, env steps to 50% and 90%, wall-clock), the eval success and return figures with
 * the scripted expert's rate and the learned-nothing floor drawn beside the curves, and report.md.
 * The README's zoo table (zoo-table.ts) is made from the summaries.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../agents/run/atomic-write.js";
import type { ReferenceRates } from "../agents/experts/reference-rates.js";
import type { Experiment } from "../experiments/experiment-config.js";
import type { ConditionRuns } from "./experiment-report.js";
import { EVAL_WINDOW } from "./experiment-summary.js";
import { renderLinePlotSvg, type LinePlot, type PlotSeries } from "./plot-svg.js";
import { comparisonPlot } from "./run-plots.js";
import { crossingSteps, kSteps } from "./k-steps.js";
import { runsInProgress } from "./runs-in-progress.js";
import { spread, summariseZooRun, ZOO_LEVELS, type ZooRunSummary } from "./zoo-summary.js";

export interface ZooConditionResults {
  label: string;
  algo: string;
  /** The condition's budget, when its own is below the entry's `steps`. */
  steps?: number;
  seeds: ZooRunSummary[];
  finalSuccess: { mean: number; min: number; max: number } | null;
  /** Mean over the seeds of the steps to each level; null unless every seed got there. */
  stepsTo: Record<string, number | null>;
  /** Mean seconds per run over the seeds that reached the budget and logged their whole time. */
  wallClockS: number | null;
}

export interface ZooResults {
  id: string;
  env: string;
  /** The budget the runs were reported at. */
  steps: number;
  successGoal: number | null;
  /** Success rates of the scripted expert and of the zero-action floor, with their episode count. */
  expert: { successRate: number; meanReturn: number; episodes: number } | null;
  floor: { successRate: number; meanReturn: number; episodes: number };
  conditions: ZooConditionResults[];
}

export function zooResults(e: Experiment, steps: number, conditions: readonly ConditionRuns[], refs: ReferenceRates): ZooResults {
  return {
    id: e.id,
    env: e.env,
    steps,
    successGoal: e.successGoal ?? null,
    expert: refs.expert,
    floor: refs.floor,
    conditions: conditions.map((c, i) => {
      const seeds = c.runs.map((r) => summariseZooRun(r.rows, r.seed));
      const budget = Math.min(c.steps, steps);
      const stepsTo = Object.fromEntries(
        ZOO_LEVELS.map((l) => {
          const hits = seeds.map((s) => s.stepsTo[String(l)] ?? null);
          return [String(l), seeds.length > 0 && hits.every((h) => h !== null) ? spread(hits as number[])!.mean : null];
        }),
      );
      return {
        label: c.label,
        algo: algoName(e.conditions[i]!.config),
        ...(budget < steps ? { steps: budget } : {}),
        seeds,
        finalSuccess: spread(seeds.map((s) => s.finalSuccess)),
        stepsTo,
        // Only runs that reached the budget: a run under way has taken a fraction of a run's time.
        wallClockS: spread(seeds.flatMap((s) => (s.wallClockS === null || s.steps < budget ? [] : [s.wallClockS])))?.mean ?? null,
      };
    }),
  };
}

/** What a condition's config trains, as policies/ names it: its `algo`, or "tqc" for SAC with TQC's critics. */
function algoName(config: Readonly<Record<string, unknown>>): string {
  const sac = config["sac"];
  const tqc = typeof sac === "object" && sac !== null && "tqc" in sac && sac.tqc !== null;
  return tqc ? "tqc" : String(config["algo"]);
}

/** Writes the folder; returns the names of the files written. */
export function writeZooResults(dir: string, e: Experiment, r: ZooResults, conditions: readonly ConditionRuns[], date: string): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const write = (name: string, data: string) => {
    writeFileAtomic(join(dir, name), data);
    written.push(name);
  };
  write("summary.json", `${JSON.stringify(r, null, 2)}\n`);
  const groups = conditions.map((c) => ({ label: c.label, runs: c.runs.map((run) => run.rows) }));
  const title = `${e.env}: ${e.title}`;
  const level = (label: string, value: number): PlotSeries => ({
    label,
    x: [0, r.steps],
    y: [value, value],
    color: "#7f7f7f",
    dashed: true,
  });
  // A little headroom above 1: a curve or an expert at 100% would otherwise lie on the frame.
  const success = comparisonPlot(groups, "eval/success", {
    title,
    evalWindow: EVAL_WINDOW,
    yLabel: "Eval success rate",
    yRange: [0, 1.04],
  });
  const refs = [
    ...(r.expert ? [level(`scripted expert (${pct(r.expert.successRate)})`, r.expert.successRate)] : []),
    { ...level(`zero action, the floor (${pct(r.floor.successRate)})`, r.floor.successRate), color: "#bcbd22" },
  ];
  const withRefs = (plot: LinePlot): LinePlot => ({ ...plot, series: [...plot.series, ...refs] });
  write("success.svg", renderLinePlotSvg(withRefs(success)));
  write("return.svg", renderLinePlotSvg(comparisonPlot(groups, "eval/return", { title, evalWindow: EVAL_WINDOW, yLabel: "Eval return" })));
  write("report.md", renderZooReport(e, r, date));
  return written;
}

export function pct(v: number): string {
  return `${(100 * v).toFixed(0)}%`;
}

/** The env steps a condition's runs go to: the entry's budget or its own. */
export function conditionBudget(r: ZooResults, c: ZooConditionResults): number {
  return c.steps ?? r.steps;
}

/**
 * The mean env steps to a success level over a condition's seeds; a level not reached while some
 * run is still short of its budget has not been reached "not yet", rather than `none`.
 */
export function stepsToLevel(r: ZooResults, c: ZooConditionResults, level: string, none = "never"): string {
  const under = c.seeds.some((s) => s.steps < conditionBudget(r, c));
  return c.stepsTo[level] === null && under ? "not yet" : kSteps(c.stepsTo[level] ?? null, none);
}

/** A condition's seeds column: "3", or "1 of 3" while some have not started, whose "–" would read as a failure. */
export function seedCount(c: ZooConditionResults): string {
  const started = c.seeds.filter((s) => s.steps > 0).length;
  return started < c.seeds.length ? `${started} of ${c.seeds.length}` : String(c.seeds.length);
}

/** "1 h 05 min", "23 min". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "–";
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

function renderZooReport(e: Experiment, r: ZooResults, date: string): string {
  const inProgress = runsInProgress(r.conditions.map((c) => ({ label: c.label, budget: conditionBudget(r, c), seeds: c.seeds })));
  const perSeed = (c: ZooConditionResults, level: number) =>
    c.seeds.map((s) => crossingSteps(s.stepsTo[String(level)] ?? null, s.steps, conditionBudget(r, c))).join(", ");
  const lines = [
    `# ${e.env}: ${e.title}`,
    "",
    `${r.steps.toLocaleString("en")} env steps per run${r.steps < e.steps ? ` (shortened from the entry's ${e.steps.toLocaleString("en")})` : ""}${r.conditions.some((c) => c.steps !== undefined) ? ", or the fewer a row's budget gives" : ""}, produced ${date} by \`rapier-gym zoo ${e.env}\`.`,
    `Metric: eval success (deterministic policy; 20 episodes per evaluation unless the config says otherwise), averaged over the last ${EVAL_WINDOW} evaluations.`,
    ...(inProgress !== null ? ["", `**In progress:** ${inProgress}; reported as they stand, and the same command continues them.`] : []),
    "",
    "![eval success](success.svg)",
    "",
    `| condition | budget (env steps) | seeds | final eval success: mean (per seed) | steps to 50% (per seed) | steps to 90% (per seed) | wall-clock per run |`,
    "|---|---|---|---|---|---|---|",
    ...r.conditions.map(
      (c) =>
        `| ${c.label} | ${kSteps(conditionBudget(r, c))} | ${seedCount(c)} | ${c.finalSuccess ? pct(c.finalSuccess.mean) : "–"} (${c.seeds.map((s) => (Number.isFinite(s.finalSuccess) ? pct(s.finalSuccess) : "–")).join(", ")}) | ${stepsToLevel(r, c, "0.5")} (${perSeed(c, 0.5)}) | ${stepsToLevel(r, c, "0.9")} (${perSeed(c, 0.9)}) | ${formatDuration(c.wallClockS)} |`,
    ),
    "",
    `- Scripted expert: ${r.expert ? `${pct(r.expert.successRate)} success, mean return ${r.expert.meanReturn.toFixed(1)}, over ${r.expert.episodes} episodes` : "none for this task"}.`,
    `- The floor (the zero action every step, a policy that has learned nothing): ${pct(r.floor.successRate)} success over ${r.floor.episodes} episodes.`,
    ...pretrainedLines(r),
    ...(r.successGoal === null ? [] : [`- Goal: ${pct(r.successGoal)} final eval success${goalVerdict(r)}.`]),
    "",
    `Published reference: ${e.postSummary}`,
    "",
    "![eval return](return.svg)",
    "",
  ];
  return lines.join("\n");
}

/** Where a row pretrains on BC alone: what that policy scored before RL (per seed), the start its curve is read against. */
export function pretrainedLines(r: ZooResults): string[] {
  return r.conditions.flatMap((c) => {
    const scores = c.seeds.map((s) => s.pretrainedSuccess);
    if (scores.every((v) => v === null)) return [];
    const cells = scores.map((v) => (v === null ? "–" : pct(v))).join(", ");
    return [`- ${c.label}: BC pretraining alone, before the first env step, scored ${cells} (per seed).`];
  });
}

/** Whether the entry's best condition meets the goal; the condition is named where there are several. */
function goalVerdict(r: ZooResults): string {
  const scored = r.conditions.filter((c) => c.finalSuccess !== null);
  if (scored.length === 0) return "";
  const best = scored.reduce((a, b) => (b.finalSuccess!.mean > a.finalSuccess!.mean ? b : a));
  const rate = pct(best.finalSuccess!.mean);
  const verdict = best.finalSuccess!.mean >= r.successGoal! ? "met" : "not met";
  return r.conditions.length > 1 ? `: ${verdict}, at best ${rate} (${best.label})` : `: ${verdict} (${rate})`;
}
