/**
 * `rapier-gym experiment <id>`: every condition × seed of an experiment as its own training run,
 * several processes at once (one per core by default). Resumable: a finished run is kept, a
 * started one is resumed, so the command can be run again after a crash or across sittings.
 * Then the results folder (results/<id>/) is written from the runs' metrics. Four
 * steps: the plan (experiment-plan.ts, which writes nothing), the run configs written beside the
 * runs, the job pool (experiment-jobs.ts) and the report (experiment-results.ts). With --slurm
 * the runs go to a Slurm job array instead (experiment-slurm.ts).
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { writeFileAtomic } from "../agents/run/atomic-write.js";
import { EXPERIMENTS_DIR, loadExperiment, type Experiment } from "../experiments/experiment-config.js";
import { RESULTS_DIR } from "../reporting/experiment-report.js";
import { ConfigError } from "../agents/config-error.js";
import { collectDemoSetsOnce, demoPaths, namesDemoSet } from "./experiment-demos.js";
import { trainRuns } from "./experiment-jobs.js";
import { chosenConditions, planRuns, sharedRuns, trainArgs, type PlannedRun } from "./experiment-plan.js";
import { showRunsProgress } from "./experiment-progress.js";
import { reportExperiment } from "./experiment-results.js";
import { submitRuns, trainPlannedRun, type SubmitOptions } from "./experiment-slurm.js";
import { signalExitCode } from "./stop-signals.js";

export interface ExperimentArgs {
  id: string;
  /** The experiment itself instead of experiments/<id>.json (tests, one-off comparisons). */
  experiment?: Experiment;
  seeds?: number;
  /** A shorter budget than the experiment's (smoke runs); the report says so. */
  steps?: number;
  jobs?: number;
  /**
   * Train only these conditions (each by its label or its runs' slug, e.g. `relay-seed0`'s
   * `relay`): compute spent where a finding needs it first. The report still covers them all.
   */
  conditions?: readonly string[];
  /** Finds the experiment a `sameRunsAs` condition names. @defaultValue loadExperiment */
  load?: (id: string) => Experiment;
  /**
   * Where runs go; the runs of a `sameRunsAs` condition are in the sibling folder named for its
   * experiment. @defaultValue experiments/runs/<id>
   */
  runsDir?: string;
  /** Where results go. @defaultValue results/<id> */
  resultsDir?: string;
  /**
   * Write the results folder from the runs as they stand, training nothing: an experiment that
   * spans several sittings can be reported (its unfinished runs marked) between them.
   */
  reportOnly?: boolean;
  /**
   * Train no run whose copy of its metrics in the results folder already reaches the budget: an
   * experiment carried over from one clone to a fresh one, where the run directories are gone.
   */
  skipReported?: boolean;
  /**
   * Writes the results folder from the plan's runs; returns the files written.
   * @defaultValue the post's kind of report (experiment-results.ts); the zoo writes its own
   */
  report?: (e: Experiment, plan: readonly PlannedRun[], steps: number, resultsDir: string) => string[];
  /** Submit the runs still to train as one Slurm job array instead of training them here. */
  slurm?: SubmitOptions;
  /** Train only the plan's run with this index: what each Slurm array task does. */
  runIndex?: number;
}

export async function runExperiment(a: ExperimentArgs): Promise<number> {
  const e = a.experiment ?? loadExperiment(a.id);
  const steps = a.steps ?? e.steps;
  // An experiment file of the user's own keeps its runs and results beside it.
  const home = a.id.endsWith(".json") ? dirname(resolve(a.id)) : null;
  const runsDir = a.runsDir ?? (home === null ? join(EXPERIMENTS_DIR, "runs", e.id) : join(home, "runs", e.id));
  const resultsDir = a.resultsDir ?? (home === null ? join(RESULTS_DIR, e.id) : join(home, "results", e.id));
  mkdirSync(runsDir, { recursive: true });
  // A submission collects nothing: its array tasks do, the first of them under the demos' lock.
  const demoFiles = a.reportOnly || a.slurm !== undefined ? demoPaths(e, runsDir) : await collectDemoSetsOnce(e, runsDir);
  if (!a.reportOnly && a.slurm === undefined) await collectSharedDemoSets(e, runsDir, a.load ?? loadExperiment);
  const seeds = a.seeds ?? e.defaultSeeds;
  const skipReported = a.skipReported === true;
  const plan = planRuns({ experiment: e, seeds, steps, runsDir, resultsDir, demoFiles, load: a.load ?? loadExperiment, skipReported });
  writeRunConfigs(e.id, plan);
  const chosen = chosenConditions(e, a.conditions);
  const chosenRuns = plan.filter((p) => chosen.has(p.label));
  const planned = { id: home === null ? a.id : resolve(a.id), experiment: e, seeds, steps, runsDir, skipReported, plan, chosenRuns };
  if (a.slurm !== undefined) return submitRuns(planned, a.slurm);
  if (a.runIndex !== undefined) return trainPlannedRun(planned, a.runIndex);
  const todo = a.reportOnly ? [] : chosenRuns.filter((p) => trainArgs(p, e.env).length > 0);
  const jobs = Math.max(1, a.jobs ?? cpus().length);
  process.stderr.write(
    a.reportOnly
      ? `${e.id}: reporting ${plan.length} runs as they stand; logs in ${runsDir}\n`
      : `${e.id}: ${chosenRuns.length} runs (${chosenRuns.length - todo.length} already finished), ${jobs} at a time; logs in ${runsDir}\n`,
  );
  const endProgress = showRunsProgress(e.id, chosenRuns);
  const outcome = await trainRuns(todo, jobs, (run) => trainArgs(run, e.env)).finally(endProgress);
  if (outcome.stoppedBy !== null) {
    process.stderr.write(`stopped; the runs keep their checkpoints and the same command resumes them\n`);
    return signalExitCode(outcome.stoppedBy);
  }
  if (outcome.failures.length > 0) {
    process.stderr.write(`${outcome.failures.join("\n")}\nrun the command again to resume them\n`);
    return 1;
  }
  if (outcome.skipped.length > 0)
    process.stderr.write(`left to the other invocation that is training them: ${outcome.skipped.join(", ")}\n`);
  const written = (a.report ?? reportExperiment)(e, plan, steps, resultsDir);
  process.stderr.write(`results in ${resultsDir}: ${written.join(", ")}, and a copy of each run's metrics in runs/\n`);
  return 0;
}

/**
 * Writes each run's config beside it, refusing (after writing the others) when a run was started
 * under another config than its condition now gives: resumed, it would train on under the old
 * config, and be reported (and its copy kept) under the new one.
 */
function writeRunConfigs(id: string, plan: readonly PlannedRun[]): void {
  const startedUnderAnother: string[] = [];
  for (const run of plan) {
    mkdirSync(dirname(run.dir), { recursive: true }); // another experiment's folder, for a sameRunsAs condition
    // Atomic: a second invocation rewrites it while the first's trainer may be reading it.
    if (startedUnder(run)) writeFileAtomic(run.configFile, JSON.stringify(run.runConfig, null, 2));
    else startedUnderAnother.push(`${run.label} seed ${run.seed}: ${run.dir} (its config: ${run.configFile})`);
  }
  if (startedUnderAnother.length > 0) {
    throw new ConfigError(
      `${id}: these runs were started under another config than the experiment now gives their condition; move each aside (or delete it) to train it again:\n  ${startedUnderAnother.join("\n  ")}`,
    );
  }
}

/**
 * Whether the run, if started, was started under its config: the condition's config (with its
 * demo paths) that the experiment wrote beside the run when it planned it. A run started before
 * these were written is taken to be.
 */
function startedUnder(run: PlannedRun): boolean {
  if (!existsSync(join(run.dir, "config.json")) || !existsSync(run.configFile)) return true;
  return isDeepStrictEqual(JSON.parse(readFileSync(run.configFile, "utf8")), run.runConfig);
}

/**
 * The demo sets of other experiments that this one's sameRunsAs conditions train from (a zoo
 * entry's BC row shared by E9b), each collected once in that experiment's runs folder.
 */
async function collectSharedDemoSets(e: Experiment, runsDir: string, load: (id: string) => Experiment): Promise<void> {
  for (const c of e.conditions) {
    if (c.sameRunsAs === undefined || !namesDemoSet(c.config)) continue;
    const shared = sharedRuns(e, c, load, runsDir);
    mkdirSync(shared.runsDir, { recursive: true });
    await collectDemoSetsOnce(shared.experiment, shared.runsDir);
  }
}
