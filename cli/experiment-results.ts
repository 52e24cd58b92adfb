/**
 * The report step of `rapier-gym experiment`: the results folder (results/<id>/)
 * written from the runs' metrics, each run read up to the experiment's budget, unless that would
 * put less in place of figures no file still holds.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../agents/config-error.js";
import { conditionSteps, type Experiment } from "../experiments/experiment-config.js";
import { writeExperimentResults, type ConditionRuns, type ExperimentResults } from "../reporting/experiment-report.js";
import { keptRun, runRows } from "../reporting/kept-metrics.js";
import type { PlannedRun } from "./experiment-plan.js";

/** Writes the results folder of `e` from `plan`'s runs, to `steps`; returns the files written. */
export function reportExperiment(e: Experiment, plan: readonly PlannedRun[], steps: number, resultsDir: string): string[] {
  const conditions = reportableRuns(e, plan, steps, resultsDir);
  return writeExperimentResults(resultsDir, e, steps, conditions, new Date().toISOString().slice(0, 10));
}

/**
 * Each condition's runs read up to its budget (`steps`, or its own below it), refused (naming them) when the results folder already
 * reports some further than their metrics now reach. Any results folder whose summary.json lists
 * `conditions[].seeds[]` with `seed` and `steps` (an experiment's, a zoo entry's) is guarded so.
 */
export function reportableRuns(e: Experiment, plan: readonly PlannedRun[], steps: number, resultsDir: string): ConditionRuns[] {
  // A run another experiment extended past this one's budget is read up to this budget.
  const rows = new Map(plan.map((p) => [p, runRows(p.dir, keptRun(resultsDir, p.label, p.seed), p.config, p.steps)]));
  const conditions = e.conditions.map((c) => {
    const budget = conditionSteps(c, steps);
    const runs = plan.filter((p) => p.label === (c.runsOf ?? c.label));
    return {
      label: c.label,
      metric: c.metric,
      steps: budget,
      runs: runs.map((p) => ({ seed: p.seed, rows: rows.get(p)!.filter((r) => r.step <= budget) })),
    };
  });
  const shortened = shortenedRuns(resultsDir, conditions);
  if (shortened.length > 0) {
    throw new ConfigError(
      `${e.id}: not reported, as the report in ${resultsDir} has these runs further along than their run directories and the folder's copies of their metrics now reach (gone in a fresh clone, or kept from before copies were):\n  ${shortened.join("\n  ")}\ntrain them again (the same command without --report, or with --skip-reported in a fresh clone), or move the report aside to write a shorter one`,
    );
  }
  return conditions;
}

/**
 * The runs that the results folder's summary.json reports further (up to their budget) than their
 * metrics now reach: writing the report would put less in place of figures no file still holds.
 */
function shortenedRuns(resultsDir: string, conditions: readonly ConditionRuns[]): string[] {
  const file = join(resultsDir, "summary.json");
  if (!existsSync(file)) return [];
  const reported = (JSON.parse(readFileSync(file, "utf8")) as Pick<ExperimentResults, "conditions">).conditions;
  return conditions.flatMap((c) =>
    c.runs.flatMap((run) => {
      const had = reported.find((r) => r.label === c.label)?.seeds.find((s) => s.seed === run.seed)?.steps ?? 0;
      const has = run.rows.at(-1)?.step ?? 0;
      return has < Math.min(c.steps, had)
        ? [`${c.label} seed ${run.seed}: reported to ${had.toLocaleString("en")} steps, its metrics now reach ${has.toLocaleString("en")}`]
        : [];
    }),
  );
}
