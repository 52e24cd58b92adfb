import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from "node:fs";
import { ortThreads, selectBackend, setOrtThreads, type BackendName } from "../agents/nn/backend.js";
import { SacHerTrainer } from "../agents/sac/sac-her-trainer.js";
import { HacTrainer } from "../agents/hac/hac-trainer.js";
import { RplTrainer } from "../agents/rpl/rpl-trainer.js";
import { flatBc } from "../agents/rpl/flat-bc.js";
import { lockRunDir } from "../agents/run/pid-lock.js";
import type { RunOptions } from "../agents/run/run-trainer.js";
import { extendRunBudget, readRunConfig, runBudget } from "../agents/run/run-dir.js";
import { writeRunPlots } from "../reporting/run-plots.js";
import { make, type EnvMaker } from "../sim/index.js";
import { BlockingRemoteEnv } from "../client/blocking-remote-env.js";
import { UsageError } from "./usage-error.js";
import { onStopSignals, signalExitCode } from "./stop-signals.js";
import { TrainingStream } from "./train-serve.js";
import { ProgressBar } from "./progress-bar.js";

/** What the train command needs of a trainer, whichever the algorithm. */
interface Trainer {
  readonly step: number;
  run(options: RunOptions): Promise<void>;
  close(): void;
}

const TRAINERS: Record<
  string,
  { start(root: string, config: unknown, makeEnv: EnvMaker): Trainer; resume(root: string, makeEnv: EnvMaker): Trainer }
> = {
  sac: {
    start: (root, config, makeEnv) => SacHerTrainer.start(root, config, makeEnv, flatBc),
    resume: (root, makeEnv) => SacHerTrainer.resume(root, makeEnv, flatBc),
  },
  hac: { start: HacTrainer.start, resume: (root, makeEnv) => HacTrainer.resume(root, undefined, makeEnv) },
  rpl: RplTrainer,
};

export interface TrainArgs {
  env?: string;
  /** @defaultValue the config file's `algo`, else "sac" */
  algo?: string;
  preset?: string;
  steps?: number;
  /** @defaultValue the config file's `seed`, else 0 */
  seed?: number;
  /** @defaultValue runs/<env>-<algo>-seed<seed> */
  out?: string;
  config?: string;
  resume: boolean;
  /** Stop, with a checkpoint, at the end of the episode that reaches this step (below the budget). */
  stopAt?: number;
  backend?: BackendName;
  /** ONNX Runtime's intra-op threads. @defaultValue 1 */
  threads?: number;
  /** A demo file: relay learning's demonstrations (rpl), or the BC term's (sac: the "BC one layer" baseline). */
  demos?: string;
  /** A rapier-gym server (ws://host:port) that steps the training and evaluation envs. */
  remote?: string;
  token?: string;
  /** Serve the viewer on 127.0.0.1 at this port (0: any free one) while training: `--serve [--port P]`. */
  servePort?: number;
}

/**
 * `rapier-gym train`: starts a run in `--out`, or with `--resume` continues the one there. A
 * config file gives any field of the training config (agents/sac/train-config.ts for sac,
 * agents/hac/hac-trainer.ts for hac, agents/rpl/rpl-config.ts for rpl); flags override it.
 * `--demos FILE` is rpl's `demos`, and for sac turns on the BC term (`bc.demos`). With
 * `--remote ws://host:port` the envs are stepped on that server (BlockingRemoteEnv); a checkpoint's
 * env snapshot then restores only on the same server process.
 */
export async function runTrain(given: TrainArgs): Promise<number> {
  const args = withConfigDefaults(given);
  const backend = await selectBackend(args.backend);
  setOrtThreads(args.threads ?? 1);
  process.stderr.write(
    `learner: ${backend === "ort" ? `ONNX Runtime (onnxruntime-node, ${ortThreads()} thread${ortThreads() > 1 ? "s" : ""})` : `tfjs ${backend}`}\n`,
  );
  const { remote, token } = args;
  const makeEnv: EnvMaker =
    remote === undefined ? make : (id, kwargs = {}) => BlockingRemoteEnv.make(remote, id, kwargs, token === undefined ? {} : { token });
  if (remote !== undefined) process.stderr.write(`envs on ${remote}\n`);
  if (args.servePort !== undefined && remote !== undefined)
    throw new UsageError("--serve records the evaluation env in process: it cannot be combined with --remote");
  const stream =
    args.servePort === undefined ? null : await TrainingStream.start({ host: "127.0.0.1", port: args.servePort, run: args.out });
  if (stream)
    process.stderr.write(`viewer at ${stream.url.replace(/^ws:/, "http:")}/ (evaluation episodes and learning curves of ${args.out})\n`);
  try {
    return await train(args, makeEnv, stream);
  } finally {
    await stream?.close();
  }
}

type ResolvedTrainArgs = TrainArgs & { algo: string; seed: number; out: string; fromFile: Record<string, unknown> };

/**
 * A flag given on the command line wins over the config file's field, and the file's over the
 * default: a run started from a file that says `"seed": 1` trains seed 1 unless --seed says otherwise.
 */
function withConfigDefaults(args: TrainArgs): ResolvedTrainArgs {
  const fromFile: Record<string, unknown> =
    args.config !== undefined && !args.resume ? (JSON.parse(readFileSync(args.config, "utf8")) as Record<string, unknown>) : {};
  const field = <T>(key: string, ok: (v: unknown) => v is T): T | undefined => {
    const value = fromFile[key];
    if (value !== undefined && !ok(value)) throw new UsageError(`${args.config}: "${key}" is ${JSON.stringify(value)}, not a valid ${key}`);
    return value as T | undefined;
  };
  const algo = args.algo ?? field("algo", (v): v is string => typeof v === "string") ?? "sac";
  const seed = args.seed ?? field("seed", (v): v is number => Number.isInteger(v)) ?? 0;
  const env = args.env ?? field("env", (v): v is string => typeof v === "string") ?? "run";
  return { ...args, algo, seed, out: args.out ?? `runs/${env}-${algo}-seed${seed}`, fromFile };
}

async function train(args: ResolvedTrainArgs, makeEnv: EnvMaker, stream: TrainingStream | null): Promise<number> {
  const existed = existsSync(args.out);
  if (!args.resume) mkdirSync(args.out, { recursive: true });
  const release = lockRunDir(args.out);
  try {
    return await trainLocked(args, makeEnv, stream);
  } finally {
    release();
    // A new run refused before it wrote anything (a bad config) leaves no empty directory behind.
    if (!existed && readdirSync(args.out).length === 0) rmdirSync(args.out);
  }
}

async function trainLocked(args: ResolvedTrainArgs, makeEnv: EnvMaker, stream: TrainingStream | null): Promise<number> {
  const trainer = args.resume ? resumeTrainer(args, makeEnv) : startTrainer(args, makeEnv);
  if (stream) watchEvaluations(trainer, stream);
  const stop = new AbortController();
  let stoppedBy: NodeJS.Signals | null = null;
  const removeHandlers = onStopSignals({
    stop: (signal) => {
      stoppedBy = signal;
      stop.abort();
      process.stderr.write(`\n${signal}: stopping at the end of this episode, after a checkpoint (again to stop at once)\n`);
    },
  });
  try {
    await trainer.run({
      ...(args.stopAt !== undefined ? { stopAt: args.stopAt } : {}),
      stop: stop.signal,
      progress: (work) => new ProgressBar(work),
      onFinish: ({ root, title }) => writeRunPlots(root, title),
    });
  } finally {
    removeHandlers();
    trainer.close();
  }
  if (stoppedBy !== null) {
    process.stderr.write(`stopped at step ${trainer.step}; \`rapier-gym train --resume --out ${args.out}\` continues from there\n`);
    return signalExitCode(stoppedBy);
  }
  if (args.stopAt !== undefined && trainer.step < runBudget(args.out)) {
    process.stderr.write(
      `stopped at step ${trainer.step} (--stop-at ${args.stopAt}); \`rapier-gym train --resume --out ${args.out}\` continues from there\n`,
    );
    return 0;
  }
  process.stderr.write(`run saved in ${args.out}: metrics.jsonl, plots/, policy/\n`);
  return 0;
}

/** The run in `args.out`, continued under its own config (and a larger budget, when --steps gives one). */
function resumeTrainer(args: ResolvedTrainArgs, makeEnv: EnvMaker): Trainer {
  const { algo } = readRunConfig(args.out) as { algo?: string };
  const kind = TRAINERS[algo ?? ""];
  if (!kind) throw new UsageError(`${args.out}/config.json names no known algo (${String(algo)})`);
  if (args.steps !== undefined) extendRunBudget(args.out, args.steps);
  const trainer = kind.resume(args.out, makeEnv);
  process.stderr.write(`resuming ${args.out} at step ${trainer.step}\n`);
  return trainer;
}

/** A new run: --config's file, with the command line's flags over it. */
function startTrainer(args: ResolvedTrainArgs, makeEnv: EnvMaker): Trainer {
  const { fromFile } = args;
  // The SAC preset is a top-level field of a flat run and a field of the hierarchy for HAC.
  const preset =
    args.preset === undefined
      ? {}
      : args.algo === "hac" || args.algo === "rpl"
        ? { hac: { ...(fromFile["hac"] as object | undefined), preset: args.preset } }
        : { preset: args.preset };
  if (args.demos !== undefined && args.algo !== "rpl" && args.algo !== "sac")
    throw new UsageError(`--demos is for --algo rpl or sac, not ${args.algo}`);
  const demos =
    args.demos === undefined
      ? {}
      : args.algo === "rpl"
        ? { demos: args.demos }
        : { bc: { ...(fromFile["bc"] as object | undefined), demos: args.demos } };
  const config = {
    ...fromFile,
    ...demos,
    algo: args.algo,
    seed: args.seed,
    ...preset,
    ...(args.env !== undefined ? { env: args.env } : {}),
    ...(args.steps !== undefined ? { steps: args.steps } : {}),
  };
  if (config.env === undefined) throw new UsageError("train needs --env (or an env in --config)");
  if (config.steps === undefined) throw new UsageError("train needs --steps (or steps in --config)");
  const kind = TRAINERS[args.algo];
  if (!kind) throw new UsageError(`--algo ${args.algo} is not available (available: ${Object.keys(TRAINERS).join(", ")})`);
  return kind.start(args.out, config, makeEnv);
}

/** Hands the stream every evaluation episode of the run; a hierarchy's subgoals and value maps too. */
function watchEvaluations(trainer: Trainer, stream: TrainingStream): void {
  const hac = trainer instanceof HacTrainer ? trainer : trainer instanceof RplTrainer ? trainer.hac : null;
  if (hac) {
    hac.evalObserver = stream;
    stream.hac = hac.agent;
  } else if (trainer instanceof SacHerTrainer) {
    trainer.evalObserver = stream;
  }
}
