/**
 * An experiment's runs as one Slurm job array, through the commands every Slurm user has
 * (sbatch, squeue, scancel): no Slurm library, no daemon of our own. Each array task trains the
 * run of the experiment's plan whose index is its SLURM_ARRAY_TASK_ID, so that a task's index
 * means the same run in every submission and a resubmitted run resumes from its checkpoint.
 */
import { spawnSync } from "node:child_process";
import { ConfigError } from "../agents/config-error.js";

export interface SlurmOptions {
  partition?: string;
  /** Slurm's --time, HH:MM:SS (or any form sbatch takes). */
  time?: string;
  /** CPUs per task; the trainer's ONNX Runtime threads. @defaultValue 1 */
  cpusPerTask?: number;
  /** More `#SBATCH` lines, as sbatch flags (`--mem=4G`, `--account=rl`). */
  sbatchArgs?: readonly string[];
}

export interface ArrayJob {
  /** The job name; squeue finds a submission's live tasks by it. */
  name: string;
  /** The plan indices to train, one array task each. */
  indices: readonly number[];
  /** Where the job runs (the repository or the user's folder), so relative paths hold. */
  cwd: string;
  /** Slurm's output file pattern (%A the job id, %a the task index). */
  output: string;
  /** The command each task runs; its plan index is appended as `--run-index $SLURM_ARRAY_TASK_ID`. */
  command: readonly string[];
}

const TIME = /^(\d+-)?\d+(:\d{1,2}){0,2}$/;

/** The sbatch script of `job`: what --dry-run prints and what is submitted. */
export function sbatchScript(job: ArrayJob, options: SlurmOptions = {}): string {
  if (job.indices.length === 0) throw new Error("an array job needs at least one task");
  if (options.time !== undefined && !TIME.test(options.time)) {
    throw new ConfigError(`--time must be Slurm's [D-]HH:MM:SS (or MM, MM:SS, D-HH), not "${options.time}"`);
  }
  const cpus = options.cpusPerTask ?? 1;
  const lines = [
    "#!/bin/bash",
    `#SBATCH --job-name=${job.name}`,
    `#SBATCH --array=${arraySpec(job.indices)}`,
    `#SBATCH --cpus-per-task=${cpus}`,
    `#SBATCH --output=${job.output}`,
    ...(options.partition !== undefined ? [`#SBATCH --partition=${options.partition}`] : []),
    ...(options.time !== undefined ? [`#SBATCH --time=${options.time}`] : []),
    ...(options.sbatchArgs ?? []).map((arg) => `#SBATCH ${arg}`),
    // Slurm sends SIGTERM at a time limit, scancel or preemption: exec makes the CLI the process
    // that receives it, so the trainer checkpoints at its episode end before the SIGKILL.
    `cd ${shellQuote(job.cwd)}`,
    `exec ${job.command.map(shellQuote).join(" ")} --run-index "$SLURM_ARRAY_TASK_ID"`,
  ];
  return `${lines.join("\n")}\n`;
}

/** `0,2,5-7`: Slurm's array list, with runs of consecutive indices as ranges. */
export function arraySpec(indices: readonly number[]): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** Submits `script` with sbatch; returns the job id, or throws with sbatch's own message. */
export function submit(script: string): string {
  const out = slurm("sbatch", ["--parsable"], script);
  // --parsable prints "jobid" or "jobid;cluster".
  return out.trim().split(";")[0]!;
}

/**
 * The array task indices of the jobs named `name` that are pending or running: a resubmission
 * leaves those runs to them, so that no run is trained twice at once.
 */
export function liveTaskIndices(name: string): Set<number> {
  // %K is the array task index, or a pending job's whole range ("0-3%2", "1,3").
  const out = slurm("squeue", [
    "--noheader",
    "--name",
    name,
    "--states",
    "PENDING,RUNNING,CONFIGURING,COMPLETING,SUSPENDED",
    "--format",
    "%K",
  ]);
  const live = new Set<number>();
  for (const field of out.split(/\s+/).filter((f) => f !== "" && f !== "N/A")) {
    for (const part of field.replace(/%\d+$/, "").split(",")) {
      const [from, to] = part.split("-").map(Number);
      for (let i = from!; i <= (to ?? from!); i++) live.add(i);
    }
  }
  return live;
}

/** Whether this machine can submit jobs: sbatch on the PATH and a controller that answers. */
export function slurmAvailable(): boolean {
  const ping = spawnSync("scontrol", ["ping"], { encoding: "utf8" });
  return ping.status === 0 && /\bUP\b/.test(ping.stdout);
}

function slurm(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, { encoding: "utf8", ...(input !== undefined ? { input } : {}) });
  if (result.error !== undefined) {
    const missing = (result.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new ConfigError(
      missing ? `${command} is not on the PATH: --slurm needs a machine that can submit Slurm jobs` : `${command}: ${result.error.message}`,
    );
  }
  if (result.status !== 0) throw new ConfigError(`${command} ${args.join(" ")} failed: ${result.stderr.trim() || `exit ${result.status}`}`);
  return result.stdout;
}

/** `word` as one shell word. */
function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
