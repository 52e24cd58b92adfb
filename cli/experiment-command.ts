/**
 * `rapier-gym experiment <id>`: every condition × seed of an experiment as its own training run,
 * several processes at once (one per core by default). Resumable: a finished run is kept, a
 * started one is resumed, so the command can be run again after a crash or across sittings.
 * Then the results folder (results/<id>/) is written from the runs' metrics.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { ProgressBar } from "./progress-bar.js";
import { claimPidLock } from "../agents/run/pid-lock.js";
import { writeFileAtomic } from "../agents/run/atomic-write.js";
import { runBudget } from "../agents/run/run-dir.js";
import { EXPERIMENTS_DIR, loadExperiment, sharedRunsCondition, slug, type Experiment } from "../experiments/experiment-config.js";
import { RESULTS_DIR, writeExperimentResults, type ConditionRuns, type ExperimentResults } from "../reporting/experiment-report.js";
import { keptRun, keptUnder, runRows } from "../reporting/kept-metrics.js";
import { ConfigError } from "../agents/config-error.js";
import { lastStep, loggedProgress, pretrainBudget, pretrainDone } from "./experiment-progress.js";
import { onStopSignals, signalExitCode } from "./stop-signals.js";

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
}

interface PlannedRun {
  label: string;
  seed: number;
  dir: string;
  /** The condition's config, as the experiment gives it (demo sets by name). */
  config: Record<string, unknown>;
  /** Done already by the results folder's copy of its metrics (--skip-reported): trained no further. */
  reported: boolean;
  /** The CLI arguments that train the run on from where it stands now; none once it is done. */
  args: () => string[];
}

const CLI = new URL("./bin.js", import.meta.url).pathname;

export async function runExperiment(a: ExperimentArgs): Promise<number> {
  const e = a.experiment ?? loadExperiment(a.id);
  const seeds = a.seeds ?? e.defaultSeeds;
  const steps = a.steps ?? e.steps;
  const runsDir = a.runsDir ?? join(EXPERIMENTS_DIR, "runs", e.id);
  const resultsDir = a.resultsDir ?? join(RESULTS_DIR, e.id);
  mkdirSync(runsDir, { recursive: true });
  const demoFiles = a.reportOnly ? demoPaths(e, runsDir) : await collectDemoSets(e, runsDir);
  // Seed-major: every condition's seed 0 comes before any seed 1, so that a partial experiment
  // (stopped, or still running across sittings) already compares all its conditions.
  const trained = e.conditions.filter((c) => c.runsOf === undefined);
  const homes = new Map(trained.map((c) => [c.label, c.sameRunsAs === undefined ? join(runsDir, slug(c.label)) : sharedRunsPrefix(e, c, a.load ?? loadExperiment, runsDir)]));
  const startedUnderAnother: string[] = [];
  const plan: PlannedRun[] = Array.from({ length: seeds }, (_, seed) =>
    trained.map((c) => {
      const dir = `${homes.get(c.label)!}-seed${seed}`;
      mkdirSync(dirname(dir), { recursive: true }); // another experiment's folder, for a sameRunsAs condition
      const configFile = `${dir}.config.json`;
      const config = withDemoPaths(c.config, demoFiles);
      if (startedUnder(dir, configFile, config)) {
        // Atomic: a second invocation rewrites it while the first's trainer may be reading it.
        writeFileAtomic(configFile, JSON.stringify(config, null, 2));
      } else {
        startedUnderAnother.push(`${c.label} seed ${seed}: ${dir} (its config: ${configFile})`);
      }
      const kept = keptRun(resultsDir, c.label, seed);
      const reported = a.skipReported === true && keptUnder(kept, c.config) && lastStep(kept.metrics) >= steps;
      const args = (): string[] => {
        if (reported) return [];
        const started = existsSync(join(dir, "config.json"));
        // A run started with a smaller budget is extended to this one (train --resume --steps).
        const budget = started ? runBudget(dir) : steps;
        const extend = budget < steps ? ["--steps", String(steps)] : [];
        // Another experiment's run with a larger budget (sameRunsAs) is done for this one once it
        // has passed this budget, finished or not.
        const passed = budget > steps && lastStep(join(dir, "metrics.jsonl")) >= steps;
        const finished = passed || (extend.length === 0 && (existsSync(join(dir, "policy", "sac.json")) || existsSync(join(dir, "policy", "hac.json"))));
        if (finished) return [];
        if (started) return ["train", "--resume", "--out", dir, ...extend];
        return ["train", "--algo", String(c.config["algo"]), "--env", e.env, "--steps", String(steps), "--seed", String(seed), "--config", configFile, "--out", dir];
      };
      return { label: c.label, seed, dir, config: c.config, reported, args };
    }),
  ).flat();
  // Resumed, it would train on under the old config, and be reported (and its copy kept) under the new one.
  if (startedUnderAnother.length > 0) {
    throw new ConfigError(
      `${e.id}: these runs were started under another config than the experiment now gives their condition; move each aside (or delete it) to train it again:\n  ${startedUnderAnother.join("\n  ")}`,
    );
  }
  const chosen = chosenConditions(e, a.conditions);
  const chosenRuns = plan.filter((p) => chosen.has(p.label));
  const todo = a.reportOnly ? [] : chosenRuns.filter((p) => p.args().length > 0);
  const jobs = Math.max(1, a.jobs ?? cpus().length);
  process.stderr.write(
    a.reportOnly
      ? `${e.id}: reporting ${plan.length} runs as they stand; logs in ${runsDir}\n`
      : `${e.id}: ${chosenRuns.length} runs (${chosenRuns.length - todo.length} already finished), ${jobs} at a time; logs in ${runsDir}\n`,
  );
  // A shared run beyond this budget counts only up to it; a reported one (its directory gone) in full.
  const done = () => chosenRuns.reduce((sum, p) => sum + (p.reported ? steps : Math.min(steps, lastStep(join(p.dir, "metrics.jsonl")))), 0);
  // Steps logged by an earlier invocation do not count towards this one's speed.
  const bar = new ProgressBar({ total: chosenRuns.length * steps, label: e.id, startStep: done() });
  // Relay runs pretrain before their first env step: a phase of its own, in gradient steps.
  const pretraining = chosenRuns.filter((p) => !p.reported).map((p) => ({ dir: p.dir, budget: pretrainBudget(p.config) })).filter((p) => p.budget > 0);
  const pretrainTotal = pretraining.reduce((sum, p) => sum + p.budget, 0);
  const progress = (): void => {
    if (pretrainTotal > 0) bar.updatePhase("pretrain", pretraining.reduce((sum, p) => sum + pretrainDone(p.dir, p.budget), 0), pretrainTotal);
    bar.update(done());
  };
  const timer = setInterval(progress, 5000);
  // A first SIGINT/SIGTERM stops each run at its episode end, after a checkpoint (the trainers
  // handle it), and starts no more; a second one stops them at once.
  let stoppedBy: NodeJS.Signals | null = null;
  const passOn = (signal: NodeJS.Signals): void => {
    for (const child of children) child.kill(signal);
  };
  const removeHandlers = onStopSignals({
    stop: (signal) => {
      stoppedBy = signal;
      passOn(signal);
      process.stderr.write(`\n${signal}: stopping every run at the end of its episode, after a checkpoint (again to stop at once)\n`);
    },
    stopNow: passOn,
  });
  const failures: string[] = [];
  let next = 0;
  const skipped: string[] = [];
  const worker = async (): Promise<void> => {
    while (stoppedBy === null && next < todo.length) {
      const run = todo[next++]!;
      // `<dir>.lock`: two invocations of the same experiment (one per core, or a second sitting
      // while the first still runs) never start the same run twice; the trainer it spawns also
      // locks the run directory itself (train.lock).
      const release = claimPidLock(`${run.dir}.lock`);
      if (release === null) {
        skipped.push(`${run.label} seed ${run.seed}`);
        continue;
      }
      try {
        // Looked at again under the lock: another invocation may have trained it since the plan.
        const args = run.args();
        if (args.length === 0) continue;
        const code = await spawnCli(args, `${run.dir}.log`);
        if (code !== 0 && stoppedBy === null) failures.push(`${run.label} seed ${run.seed} exited with ${code} (log: ${run.dir}.log)`);
      } finally {
        release();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: jobs }, worker));
  } finally {
    clearInterval(timer);
    removeHandlers();
  }
  progress();
  bar.finish();
  if (stoppedBy !== null) {
    process.stderr.write(`stopped; the runs keep their checkpoints and the same command resumes them\n`);
    return signalExitCode(stoppedBy);
  }
  if (failures.length > 0) {
    process.stderr.write(`${failures.join("\n")}\nrun the command again to resume them\n`);
    return 1;
  }
  if (skipped.length > 0) process.stderr.write(`left to the other invocation that is training them: ${skipped.join(", ")}\n`);
  // A run another experiment extended past this one's budget is read up to this budget.
  const rows = new Map(plan.map((p) => [p, runRows(p.dir, keptRun(resultsDir, p.label, p.seed), p.config, steps)]));
  const conditions = e.conditions.map((c) => ({
    label: c.label,
    metric: c.metric,
    runs: plan.filter((p) => p.label === (c.runsOf ?? c.label)).map((p) => ({ seed: p.seed, rows: rows.get(p)! })),
  }));
  const shortened = shortenedRuns(resultsDir, steps, conditions);
  if (shortened.length > 0) {
    throw new ConfigError(
      `${e.id}: not reported, as the report in ${resultsDir} has these runs further along than their run directories and the folder's copies of their metrics now reach (gone in a fresh clone, or kept from before copies were):\n  ${shortened.join("\n  ")}\ntrain them again (the same command without --report, or with --skip-reported in a fresh clone), or move the report aside to write a shorter one`,
    );
  }
  const written = writeExperimentResults(resultsDir, e, steps, conditions, new Date().toISOString().slice(0, 10));
  process.stderr.write(`results in ${resultsDir}: ${written.join(", ")}, and a copy of each run's metrics in runs/\n`);
  return 0;
}

/**
 * The labels of the training conditions `names` picks (each a label or a label's slug); every one
 * when there are none. An unknown name is refused with the names there are.
 */
function chosenConditions(e: Experiment, names: readonly string[] | undefined): Set<string> {
  const trained = e.conditions.filter((c) => c.runsOf === undefined).map((c) => c.label);
  if (names === undefined || names.length === 0) return new Set(trained);
  return new Set(
    names.map((name) => {
      const label = trained.find((l) => l === name || slug(l) === name);
      if (label === undefined) throw new ConfigError(`${e.id} has no condition "${name}"; its conditions (label, or the slug its runs are named by): ${trained.map((l) => `"${l}" (${slug(l)})`).join(", ")}`);
      return label;
    }),
  );
}

/**
 * The runs that the results folder's summary.json reports further (up to `steps`) than their
 * metrics now reach: writing the report would put less in place of figures no file still holds.
 */
function shortenedRuns(resultsDir: string, steps: number, conditions: readonly ConditionRuns[]): string[] {
  const file = join(resultsDir, "summary.json");
  if (!existsSync(file)) return [];
  const reported = (JSON.parse(readFileSync(file, "utf8")) as ExperimentResults).conditions;
  return conditions.flatMap((c) =>
    c.runs.flatMap((run) => {
      const had = reported.find((r) => r.label === c.label)?.seeds.find((s) => s.seed === run.seed)?.steps ?? 0;
      const has = run.rows.at(-1)?.step ?? 0;
      return has < Math.min(steps, had) ? [`${c.label} seed ${run.seed}: reported to ${had.toLocaleString("en")} steps, its metrics now reach ${has.toLocaleString("en")}`] : [];
    }),
  );
}

/**
 * The runs of condition `c` (`sameRunsAs`): those of the other experiment's condition with the
 * same env and config, as a path without its `-seed<k>` suffix.
 */
function sharedRunsPrefix(e: Experiment, c: Experiment["conditions"][number], load: (id: string) => Experiment, runsDir: string): string {
  const shared = sharedRunsCondition(e, c, load);
  return join(dirname(runsDir), shared.experiment.id, slug(shared.condition.label));
}

/**
 * Whether the run in `dir`, if started, was started under `config`: the condition's config (with
 * its demo paths) that the experiment wrote beside the run when it planned it. A run started
 * before these were written is taken to be.
 */
function startedUnder(dir: string, configFile: string, config: unknown): boolean {
  if (!existsSync(join(dir, "config.json")) || !existsSync(configFile)) return true;
  return isDeepStrictEqual(JSON.parse(readFileSync(configFile, "utf8")), config);
}

/** Where each named demo set of the experiment lives: name -> path. */
function demoPaths(e: Experiment, runsDir: string): Record<string, string> {
  return Object.fromEntries(Object.keys(e.demos).map((name) => [name, join(runsDir, `demos-${slug(name)}.bin`)]));
}

/**
 * Collects each named demo set the experiment needs, unless an earlier invocation did; returns
 * name -> path. A phase of its own before any run, with a bar over the demo steps of every set
 * still to collect, read from each collector's log.
 */
async function collectDemoSets(e: Experiment, runsDir: string): Promise<Record<string, string>> {
  const files = demoPaths(e, runsDir);
  const todo = Object.entries(e.demos).filter(([name]) => !existsSync(files[name]!));
  if (todo.length === 0) return files;
  const bar = new ProgressBar({ total: todo.reduce((sum, [, spec]) => sum + spec.steps, 0), label: `${e.id} demos` });
  let collected = 0;
  for (const [name, spec] of todo) {
    const out = files[name]!;
    const log = `${out}.log`;
    const from = existsSync(log) ? statSync(log).size : 0;
    const timer = setInterval(() => bar.update(collected + Math.min(spec.steps, loggedProgress(log, from))), 2000);
    const source = spec.source === "expert" ? "expert" : join(EXPERIMENTS_DIR, "..", spec.source);
    const args = ["collect", "--env", spec.env ?? e.env, "--source", source, "--steps", String(spec.steps), "--max-ep-len", String(spec.maxEpisodeSteps), "--seed", String(spec.seed), "--env-kwargs", JSON.stringify(spec.envKwargs), "--out", out];
    const code = await spawnCli(args, log).finally(() => clearInterval(timer));
    if (code !== 0) throw new Error(`collecting the "${name}" demos failed (log: ${log})`);
    collected += spec.steps;
    bar.update(collected);
  }
  bar.finish();
  return files;
}

/** The config with every "$demos:<name>" string replaced by that demo set's path. */
function withDemoPaths(value: unknown, files: Record<string, string>): unknown {
  if (typeof value === "string" && value.startsWith("$demos:")) {
    const path = files[value.slice("$demos:".length)];
    if (path === undefined) throw new ConfigError(`config refers to ${value}, but the experiment defines no such demo set`);
    return path;
  }
  if (Array.isArray(value)) return value.map((v) => withDemoPaths(v, files));
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withDemoPaths(v, files)]));
  return value;
}

/** The trainers and collectors running now, stopped with this process. */
const children = new Set<ChildProcess>();

function spawnCli(args: string[], logFile: string): Promise<number> {
  const log = openSync(logFile, "a");
  // Its own process group: a terminal's Ctrl-C reaches only this process, which passes it on
  // once; a second copy from the terminal would stop the run before its checkpoint.
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", log, log], detached: true });
  closeSync(log); // the child holds its own copy
  children.add(child);
  return new Promise((resolve) =>
    child.on("exit", (code) => {
      children.delete(child);
      resolve(code ?? 1);
    }),
  );
}
