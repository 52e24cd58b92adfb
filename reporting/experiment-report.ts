/**
 * An experiment's results folder: summary.json (per condition and seed: steps to the threshold
 * return (-100) and to the start of learning (-190), final average return and success), the post's
 * kind of figure (mean with a band across seeds, 100-episode moving average, env steps on x) as SVG
 * only (a third of the size of the same figure as a PNG, and sharp at any zoom), a hierarchy's
 * subgoal figures (share reached, windows per episode) when a condition has one, and report.md
 * setting our numbers beside the post's.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../agents/run/atomic-write.js";
import type { MetricsRow } from "../agents/run/metrics-log.js";
import { againstThePost } from "./against-the-post.js";
import { crossingSteps, kSteps } from "./k-steps.js";
import { renderLinePlotSvg } from "./plot-svg.js";
import { runsInProgress } from "./runs-in-progress.js";
import { comparisonPlot, type ComparisonOptions, type PlottedMetric } from "./run-plots.js";
import { conditionSteps, type Experiment, type ReturnMetric } from "../experiments/experiment-config.js";
import { EVAL_WINDOW, meanSteps, summariseRun, type PretrainedSummary, type RunSummary } from "./experiment-summary.js";

/** The repository's top-level results folder, one `<id>/` per experiment: results are not code. */
export const RESULTS_DIR = new URL("../results/", import.meta.url).pathname;

export interface ConditionRuns {
  label: string;
  /** Its budget: the experiment's, or the condition's own below it. */
  steps: number;
  /** Metrics of each seed's run, in seed order. */
  runs: { seed: number; rows: MetricsRow[] }[];
  metric: ReturnMetric;
}

interface ReportedCondition {
  label: string;
  /** The condition's budget, when its own is below the experiment's `steps`. */
  steps?: number;
  seeds: RunSummary[];
  meanStepsToThreshold: number | null;
  meanStepsToStart: number | null;
}

export interface ExperimentResults {
  id: string;
  steps: number;
  /** The return whose first crossing `stepsToThreshold` gives. */
  threshold: number;
  /** The return whose first crossing `stepsToStart` gives. */
  startThreshold: number;
  conditions: ReportedCondition[];
}

/** Writes the folder; returns the names of the files written. */
export function writeExperimentResults(
  dir: string,
  experiment: Experiment,
  steps: number,
  conditions: ConditionRuns[],
  date: string,
): string[] {
  mkdirSync(dir, { recursive: true });
  const results: ExperimentResults = {
    id: experiment.id,
    steps,
    threshold: experiment.threshold,
    startThreshold: experiment.startThreshold,
    conditions: conditions.map((c) => {
      const seeds = c.runs.map((r) =>
        summariseRun(r.rows, r.seed, { metric: c.metric, threshold: experiment.threshold, startThreshold: experiment.startThreshold }),
      );
      return {
        label: c.label,
        ...(c.steps < steps ? { steps: c.steps } : {}),
        seeds,
        meanStepsToThreshold: meanSteps(seeds.map((s) => s.stepsToThreshold)),
        meanStepsToStart: meanSteps(seeds.map((s) => s.stepsToStart)),
      };
    }),
  };
  const written: string[] = [];
  const write = (name: string, data: string | Uint8Array) => {
    writeFileAtomic(join(dir, name), data);
    written.push(name);
  };
  write("summary.json", `${JSON.stringify(results, null, 2)}\n`);
  const groups = conditions.map((c) => ({ label: c.label, runs: c.runs.map((r) => r.rows), returnMetric: c.metric }));
  const title = `${experiment.id}: ${experiment.title} (${experiment.env})`;
  const figure = (name: string, metric: PlottedMetric, options: Omit<ComparisonOptions, "title"> = {}) => {
    const svg = renderLinePlotSvg(comparisonPlot(groups, metric, { title, evalWindow: EVAL_WINDOW, ...options }));
    write(`${name}.svg`, svg);
  };
  figure("return", "train/return");
  figure("success", "train/success");
  const hierarchical = conditions.some((c) => c.runs.some((r) => r.rows.some((row) => typeof row["hac/subgoal_reached"] === "number")));
  if (hierarchical) {
    figure("subgoal-reached", "hac/subgoal_reached", { yLabel: "Subgoals reached (share of windows)", yRange: [0, 1] });
    figure("windows", "hac/windows", { yLabel: "Subgoal windows per episode" });
  }
  write("report.md", renderReport(experiment, results, date, hierarchical));
  return written;
}

function renderReport(e: Experiment, r: ExperimentResults, date: string, hierarchical: boolean): string {
  return [
    ...reportHeader(e, r, date),
    "",
    "![return](return.svg)",
    "",
    ...conditionTable(e, r),
    ...pretrainedTable(r),
    "",
    ...comparisons(e, r).map((x) => `- ${x}`),
    "",
    ...againstThePostSection(e, r),
    `The post: ${e.postSummary}`,
    "",
    ...(hierarchical ? SUBGOAL_SECTION : []),
  ].join("\n");
}

/** Title, budget, metric, and the runs still short of their budget. */
function reportHeader(e: Experiment, r: ExperimentResults, date: string): string[] {
  const evaluated = e.conditions.some((c) => c.metric !== "train/return");
  const ownBudgets = r.conditions.some((c) => c.steps !== undefined) ? " (or a condition's own budget, beside its seeds)" : "";
  const inProgress = runsInProgress(r.conditions.map((c) => ({ label: c.label, budget: c.steps ?? r.steps, seeds: c.seeds })));
  return [
    `# ${e.id}: ${e.title}`,
    "",
    `${e.env}, ${r.steps.toLocaleString("en")} env steps per run${r.steps < e.steps ? ` (shortened from the experiment's ${e.steps.toLocaleString("en")})` : ""}${ownBudgets}, produced ${date} by \`rapier-gym experiment ${e.id}\`.`,
    `Metric: the 100-episode moving average of training-episode return, as the post plotted it${e.figure ? ` (its figure: \`${e.figure}\`)` : ""}${evaluated ? `; a condition judged by evaluations (deterministic policy), the moving average of its last ${EVAL_WINDOW} evaluations` : ""}.`,
    ...(inProgress === null ? [] : ["", `**In progress:** ${inProgress}; reported as they stand. Run the command again to continue them.`]),
  ];
}

/** One row per condition: crossings per seed, final return and success, and the post's figures. */
function conditionTable(e: Experiment, r: ExperimentResults): string[] {
  const crossing = (c: ReportedCondition, mean: number | null, steps: (s: RunSummary) => number | null) => {
    const budget = c.steps ?? r.steps;
    return `${mean === null && c.seeds.some((s) => s.steps < budget) ? "not yet" : kSteps(mean)} (${c.seeds.map((s) => crossingSteps(steps(s), s.steps, budget)).join(", ")})`;
  };
  // Over the seeds that have finished an episode; "–" while none has.
  const mean = (xs: number[], digits: number, scale = 1, unit = "") => {
    const done = xs.filter((x) => Number.isFinite(x));
    return done.length === 0 ? "–" : `${((scale * done.reduce((a, b) => a + b, 0)) / done.length).toFixed(digits)}${unit}`;
  };
  const rows = r.conditions.map((c, i) => {
    const post = e.conditions[i]!.post;
    const seeds = `${c.seeds.length}${c.steps === undefined ? "" : ` (to ${kSteps(c.steps)})`}`;
    const finalReturn = mean(
      c.seeds.map((s) => s.finalReturn),
      1,
    );
    const finalSuccess = mean(
      c.seeds.map((s) => s.finalSuccess),
      0,
      100,
      "%",
    );
    const postSteps = post.stepsToThreshold === null ? "never or not given" : kSteps(post.stepsToThreshold);
    return `| ${c.label} | ${seeds} | ${crossing(c, c.meanStepsToThreshold, (s) => s.stepsToThreshold)} | ${crossing(c, c.meanStepsToStart, (s) => s.stepsToStart)} | ${finalReturn} | ${finalSuccess} | ${postSteps} | ${post.text} |`;
  });
  return [
    `| condition | seeds | steps to ${r.threshold}: mean (per seed) | learning starts, steps to ${r.startThreshold}: mean (per seed) | final avg return | final success | the post: steps to ${r.threshold} | the post |`,
    "|---|---|---|---|---|---|---|---|",
    ...rows,
  ];
}

/** The pretrained models (relay, BC) before finetuning, where a condition has them. */
function pretrainedTable(r: ExperimentResults): string[] {
  if (!r.conditions.some((c) => c.seeds.some((s) => s.pretrained))) return [];
  const lines = [
    "",
    "Pretrained only (before finetuning), deterministic evaluation on fresh start states, and on the training demos' own start states (the share of those that reach the goal at least once):",
    "",
    "| condition | mean return | success | episodes that reached the goal at least once | on the demos' starts: mean return | reached at least once |",
    "|---|---|---|---|---|---|",
  ];
  for (const c of r.conditions) {
    const pre = c.seeds.flatMap((s) => (s.pretrained ? [s.pretrained] : []));
    if (pre.length === 0) continue;
    const mean = (f: (p: (typeof pre)[number]) => number) => pre.reduce((a, p) => a + f(p), 0) / pre.length;
    const onDemos = pre.flatMap((p) => (p.onDemoStarts ? [p.onDemoStarts] : []));
    const demoMean = (f: (p: PretrainedSummary) => number) => onDemos.reduce((a, p) => a + f(p), 0) / onDemos.length;
    // A flat run's pretrained evaluation (evaluatePolicy) counts no "reached once".
    const share = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(0)}%` : "–");
    const demoCells = onDemos.length === 0 ? "– | –" : `${demoMean((p) => p.return).toFixed(1)} | ${share(demoMean((p) => p.reachedOnce))}`;
    lines.push(
      `| ${c.label} | ${mean((p) => p.return).toFixed(1)} | ${share(mean((p) => p.success))} | ${share(mean((p) => p.reachedOnce))} | ${demoCells} |`,
    );
  }
  return lines;
}

/** The condition every other one is set against: the one `baseline` names, else the first. */
function baselineIndex(e: Experiment, r: ExperimentResults): number {
  return Math.max(
    0,
    r.conditions.findIndex((c) => c.label === e.baseline),
  );
}

function againstThePostSection(e: Experiment, r: ExperimentResults): string[] {
  const compared = r.conditions.map((c) => ({ ...c, steps: c.steps ?? r.steps }));
  const lines = againstThePost(e, compared, r.threshold, baselineIndex(e, r));
  return lines.length === 0 ? [] : ["Against the post:", "", ...lines.map((x) => `- ${x}`), ""];
}

/** Each condition against the baseline (with the post's ratio), and which runs are shared with another experiment. */
function comparisons(e: Experiment, r: ExperimentResults): string[] {
  const b = baselineIndex(e, r);
  const base = r.conditions[b]!;
  const basePost = e.conditions[b]!.post.stepsToThreshold;
  const ratios = r.conditions.flatMap((c, i) => {
    if (i === b) return [];
    const ratio = (level: number, a: number | null, x: number | null) =>
      a === null
        ? `${base.label} has not reached ${level} on every seed`
        : x === null
          ? `${c.label} has not reached ${level} on every seed`
          : `${(x / a).toFixed(2)}× the env steps to ${level}`;
    const post = e.conditions[i]!.post.stepsToThreshold;
    const postRatio = basePost !== null && post !== null ? ` (the post: ${(post / basePost).toFixed(2)}×)` : "";
    return [
      `${c.label} against ${base.label}: ${ratio(r.threshold, base.meanStepsToThreshold, c.meanStepsToThreshold)}${postRatio}; ${ratio(r.startThreshold, base.meanStepsToStart, c.meanStepsToStart)}`,
    ];
  });
  const shared = e.conditions
    .filter((c) => c.sameRunsAs !== undefined)
    .map(
      (c) =>
        `${c.label}: the same runs as ${c.sameRunsAs}'s condition with this config, read up to ${conditionSteps(c, r.steps).toLocaleString("en")} steps.`,
    );
  return [...ratios, ...shared];
}

const SUBGOAL_SECTION = [
  "How the bottom level's subgoals fared (100-episode averages): the share of its windows whose subgoal it reached, and its windows per episode. A window ends after k env steps, or as soon as its subgoal is reached; so many windows, nearly all reached, mean subgoals set where the agent already is, and few reached mean subgoals it cannot get to.",
  "",
  "![subgoals reached](subgoal-reached.svg)",
  "",
  "![windows per episode](windows.svg)",
  "",
];
