/**
 * `rapier-gym experiment <id> --slurm`: the experiment's runs as one Slurm job array, and
 * `--run-index K`, what each array task runs: the plan's run K, exactly as the local job pool
 * trains it (its lock, its `train` command line, its log), so a task that died resumes from its
 * checkpoint when the same submission is made again. The report stays `--report`'s, once the
 * tasks are done.
 */
import { createHash } from "node:crypto";
import { join, resolve } from "node:path";
import { ConfigError } from "../agents/config-error.js";
import type { Experiment } from "../experiments/experiment-config.js";
import { trainRuns } from "./experiment-jobs.js";
import { trainArgs, type PlannedRun } from "./experiment-plan.js";
import { liveTaskIndices, sbatchScript, slurmAvailable, submit, type SlurmOptions } from "./slurm-array.js";
import { signalExitCode } from "./stop-signals.js";

const CLI = new URL("./bin.js", import.meta.url).pathname;

/** An experiment as planned: what both the submission and an array task start from. */
export interface PlannedExperiment {
  /** What the command line named: an id, or an experiment file. */
  id: string;
  experiment: Experiment;
  seeds: number;
  steps: number;
  runsDir: string;
  skipReported: boolean;
  /** Every run, in plan order: an array task's index is its place here. */
  plan: readonly PlannedRun[];
  /** The runs of the conditions asked for. */
  chosenRuns: readonly PlannedRun[];
}

export interface SubmitOptions extends SlurmOptions {
  /** Print the sbatch script and submit nothing. */
  dryRun?: boolean;
}

/**
 * Submits every chosen run still to train, and not in a live task of an earlier submission, as
 * one array task each. Prints the job id on stdout (the script, with dryRun).
 */
export function submitRuns(p: PlannedExperiment, options: SubmitOptions): number {
  const name = jobName(p);
  const canAsk = slurmAvailable();
  if (options.dryRun !== true && !canAsk) {
    throw new ConfigError(
      "--slurm: no Slurm controller answers on this machine (scontrol ping); run it where sbatch works, or add --dry-run to see the script",
    );
  }
  const live = canAsk ? liveTaskIndices(name) : new Set<number>();
  const todo = p.chosenRuns.filter((run) => trainArgs(run, p.experiment.env).length > 0);
  const queued = todo.filter((run) => live.has(p.plan.indexOf(run)));
  const indices = todo.map((run) => p.plan.indexOf(run)).filter((i) => !live.has(i));
  if (indices.length === 0) {
    process.stderr.write(
      `${p.experiment.id}: nothing to submit: ${p.chosenRuns.length - todo.length} of ${p.chosenRuns.length} runs are finished, ${queued.length} are in live tasks of ${name}\n`,
    );
    return 0;
  }
  const command = [
    process.execPath,
    CLI,
    "experiment",
    p.id,
    "--seeds",
    String(p.seeds),
    "--steps",
    String(p.steps),
    ...(p.skipReported ? ["--skip-reported"] : []),
  ];
  const script = sbatchScript({ name, indices, cwd: process.cwd(), output: join(p.runsDir, "slurm-%A_%a.out"), command }, options);
  if (options.dryRun === true) {
    process.stdout.write(script);
    return 0;
  }
  const jobId = submit(script);
  const runs = indices.map((i) => `  task ${i}: ${p.plan[i]!.label} seed ${p.plan[i]!.seed}`).join("\n");
  process.stderr.write(
    `${p.experiment.id}: submitted Slurm job ${jobId}, ${indices.length} array task(s)${queued.length > 0 ? ` (${queued.length} run(s) left to live tasks)` : ""}:\n${runs}\n` +
      `follow it: squeue -j ${jobId}; each run logs to its <run>.log and each task to slurm-${jobId}_<task>.out, in ${p.runsDir}\n` +
      `a task that dies (time limit, preemption, node failure) resumes from its checkpoint when this same command is run again\n` +
      `when they are done: rapier-gym experiment ${p.id} --report\n`,
  );
  process.stdout.write(`${jobId}\n`);
  return 0;
}

/** Trains run `index` of the plan, as the local job pool would: what one array task does. */
export async function trainPlannedRun(p: PlannedExperiment, index: number): Promise<number> {
  const run = p.plan[index];
  if (run === undefined)
    throw new ConfigError(`--run-index ${index}: ${p.experiment.id} plans ${p.plan.length} runs (0 to ${p.plan.length - 1})`);
  // A task's CPUs become its trainer's ONNX Runtime threads.
  const threads = process.env["SLURM_CPUS_PER_TASK"];
  const argsOf = (r: PlannedRun): string[] => {
    const args = trainArgs(r, p.experiment.env);
    return args.length > 0 && threads !== undefined ? [...args, "--threads", threads] : args;
  };
  process.stderr.write(`${p.experiment.id} run ${index}: ${run.label} seed ${run.seed} in ${run.dir} (log: ${run.dir}.log)\n`);
  const outcome = await trainRuns([run], 1, argsOf);
  if (outcome.stoppedBy !== null) return signalExitCode(outcome.stoppedBy);
  if (outcome.skipped.length > 0) process.stderr.write(`another process trains it (${run.dir}.lock): left to it\n`);
  if (outcome.failures.length > 0) {
    process.stderr.write(`${outcome.failures.join("\n")}\n`);
    return 1;
  }
  return 0;
}

/**
 * The job name: the experiment and a digest of its runs folder, so that the live tasks squeue
 * finds are this experiment's in this folder, not a same-named one elsewhere.
 */
function jobName(p: PlannedExperiment): string {
  const digest = createHash("sha256").update(resolve(p.runsDir)).digest("hex").slice(0, 8);
  return `rapier-gym-${p.experiment.id}-${digest}`;
}
