/**
 * What `rapier-gym experiment` reads to show its progress, from the files its children write:
 * the env steps a run has logged, how far a relay or flat BC run's pretraining has gone (it logs its
 * rows at env step 0), and the progress line of a demo collector's log; and the bar it shows them on.
 * Reading files rather than asking the children keeps each run a plain `train` process, and
 * works across invocations.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { MetricsRow } from "../agents/run/metrics-log.js";
import { ProgressBar, parseProgress } from "./progress-bar.js";
import { relaySettingsSchema } from "../agents/rpl/rpl-config.js";
import { bcSettingsSchema } from "../agents/sac/train-config.js";

/** The last row of a metrics file (a run's, or its kept copy); null before the first. */
export function lastRow(path: string): MetricsRow | null {
  if (!existsSync(path)) return null;
  const text = readFileSync(path, "utf8").trimEnd();
  const line = text.slice(text.lastIndexOf("\n") + 1);
  try {
    return line ? (JSON.parse(line) as MetricsRow) : null;
  } catch {
    return null; // a line torn mid-write: the next poll reads it whole
  }
}

/** The last env step a metrics file has logged; 0 before the first. */
export function lastStep(path: string): number {
  return lastRow(path)?.step ?? 0;
}

/** The gradient steps of pretraining that a condition's config asks for: relay's, or a flat BC run's (`bc.pretrainSteps`). */
export function pretrainBudget(config: Record<string, unknown>): number {
  if (config["algo"] === "sac") {
    const bc = bcSettingsSchema.safeParse(config["bc"]);
    return bc.success ? bc.data.pretrainSteps : 0;
  }
  if (config["algo"] !== "rpl") return 0;
  const relay = relaySettingsSchema.safeParse(config["relay"] ?? {});
  return relay.success ? relay.data.pretrainSteps : 0;
}

/**
 * How many of its `budget` pretraining steps the run in `dir` has done: all of them once it logs
 * env steps, evaluates its pretrained model or (relay) has saved it, else its last pretraining row's.
 */
export function pretrainDone(dir: string, budget: number): number {
  const row = lastRow(join(dir, "metrics.jsonl"));
  if (existsSync(join(dir, "pretrained.bin")) || (row !== null && (row.step > 0 || row["pretrain/eval/return"] !== undefined)))
    return budget;
  const step = row?.["pretrain/step"];
  return typeof step === "number" ? Math.min(budget, step) : 0;
}

/**
 * The step count of the last progress line in a child's log (a collector's), written after byte
 * `from` (where the log ended when the child started: an earlier attempt's lines are not its); 0
 * before one.
 */
export function loggedProgress(logFile: string, from = 0): number {
  if (!existsSync(logFile)) return 0;
  const lines = readFileSync(logFile).subarray(from).toString("utf8").trimEnd().split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const progress = parseProgress(lines[i]!);
    if (progress !== null) return progress.step;
  }
  return 0;
}

/** What the bar needs of a planned run (experiment-plan.ts). */
interface TrackedRun {
  dir: string;
  config: Record<string, unknown>;
  reported: boolean;
  /** Its budget. */
  steps: number;
}

/**
 * A bar over `runs`, each to its own budget in env steps, read from their metrics every 5 s, with relay
 * pretraining as a phase of its own; returns the function that draws it a last time and ends it.
 */
export function showRunsProgress(label: string, runs: readonly TrackedRun[]): () => void {
  // A shared run beyond this budget counts only up to it; a reported one (its directory gone) in full.
  const done = () => runs.reduce((sum, p) => sum + (p.reported ? p.steps : Math.min(p.steps, lastStep(join(p.dir, "metrics.jsonl")))), 0);
  // Steps logged by an earlier invocation do not count towards this one's speed.
  const bar = new ProgressBar({ total: runs.reduce((sum, p) => sum + p.steps, 0), label, startStep: done() });
  // Relay and flat BC runs may pretrain before their first env step: a phase of its own, in gradient steps.
  const pretraining = runs
    .filter((p) => !p.reported)
    .map((p) => ({ dir: p.dir, budget: pretrainBudget(p.config) }))
    .filter((p) => p.budget > 0);
  const pretrainTotal = pretraining.reduce((sum, p) => sum + p.budget, 0);
  const progress = (): void => {
    if (pretrainTotal > 0)
      bar.updatePhase(
        "pretrain",
        pretraining.reduce((sum, p) => sum + pretrainDone(p.dir, p.budget), 0),
        pretrainTotal,
      );
    bar.update(done());
  };
  const timer = setInterval(progress, 5000);
  return () => {
    clearInterval(timer);
    progress();
    bar.finish();
  };
}
