/**
 * `rapier-gym bench train`: env steps/s of whole training (env step, acting, storing, HER
 * relabelling, every level's SAC updates, a relay run's BC term, the per-episode metrics row) on
 * PointMassPush-v0 for the three algorithms the experiments compare, each with its experiment's
 * own config: flat SAC + HER (E1's flat condition, seed preset), HAC k=5 (E1's HAC condition) and
 * relay finetuning (E7's relay condition, on 2000 steps of expert demos collected here), on ONNX
 * Runtime (one intra-op thread) against tfjs wasm, the two backends alternating round by round
 * (and which goes first alternating too) so that a slow spell of this shared machine hits both.
 *
 * Each measurement is a fresh run in a temporary directory. It first trains, untimed, to its
 * algorithm's warm-up step: to the end of the random-action warm-up (`startSteps`, cut for HAC:
 * see {@link Algo.startSteps}), so the policy acts,
 * and past the point where every level's buffer holds a batch, so every level updates on its
 * schedule (checked from the run's own loss rows, not assumed). Then the timed window: the run is
 * continued in chunks of `run({until})` until WINDOW_MS have passed, and the figure is the env
 * steps inside the window over its wall time, taken by our own clock (the metrics' steps/s is
 * cumulative over the run, warm-up included). A fixed wall time rather than a fixed step count
 * gives both backends (wasm being several times slower) the same share of the suite's time.
 * Evaluation and checkpoints are excluded: the window always ends before the run's first of
 * either (every 10k-20k env steps, each a few episodes of acting without updates, or a save).
 * Relay pretraining is cut to a handful of steps: it is not what is measured, and the
 * finetuning's cost does not depend on how good the pretrained weights are.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { selectBackend, setOrtThreads, type BackendName } from "../agents/nn/backend.js";
import { collectDemos } from "../agents/demos/collect.js";
import { writeDemoFile } from "../agents/demos/demo-file.js";
import { PushExpert } from "../agents/experts/push-expert.js";
import { HacTrainer } from "../agents/hac/hac-trainer.js";
import { RplTrainer } from "../agents/rpl/rpl-trainer.js";
import { readMetrics } from "../agents/run/metrics-log.js";
import { runPaths } from "../agents/run/run-dir.js";
import { SacHerTrainer } from "../agents/sac/sac-her-trainer.js";
import type { RunOptions } from "../agents/run/run-trainer.js";
import { loadExperiment, type Experiment } from "../experiments/experiment-config.js";
import { make } from "../sim/index.js";
import { printBench, type BenchResult } from "./bench-result.js";

/** What a measurement needs of a trainer, whichever the algorithm. */
interface Trainer {
  readonly step: number;
  readonly config: { evalEvery: number; checkpointEvery: number };
  run(options: RunOptions): Promise<void>;
  close(): void;
}

/** One algorithm: where its config comes from and how far its warm-up goes. */
interface Algo {
  name: string;
  experiment: string;
  condition: string;
  /**
   * Untimed env steps before the window: to the end of the random actions (`startSteps`: flat
   * 1000, HAC 1000 here, relay none) and past the episode end by which every level holds a batch
   * of 100 (flat: 1 episode of 200 steps; the top level at k=5: 3 episodes, at k=10: 5, so
   * relay's 1200 leaves an episode to spare should an episode end early).
   */
  warmupSteps: number;
  /**
   * Replaces the condition's `startSteps`. HAC's 2500 random-action steps cost as much as
   * training (every level already updates) and made its warm-up half the suite's time; they only
   * decide the actions before the window, so ending them at 1000 leaves the window's config E1's.
   */
  startSteps?: number;
  /** The loss fields an episode row carries when every level updated in it. */
  lossKeys: readonly string[];
  start(root: string, config: Record<string, unknown>): Trainer;
}

const ALGOS: readonly Algo[] = [
  {
    name: "sac+her",
    experiment: "E1",
    condition: "Non-hierarchical (SAC+HER)",
    warmupSteps: 1000,
    lossKeys: ["loss/qf"],
    start: (root, c) => SacHerTrainer.start(root, c),
  },
  {
    name: "hac-k5",
    experiment: "E1",
    condition: "HAC k=5",
    warmupSteps: 1000,
    startSteps: 1000,
    lossKeys: ["loss/qf_l0", "loss/qf_l1"],
    start: (root, c) => HacTrainer.start(root, c),
  },
  {
    name: "relay",
    experiment: "E7",
    condition: "Relay (pretrain, HAC finetune + BC loss)",
    warmupSteps: 1200,
    lossKeys: ["loss/qf_l0", "loss/qf_l1"],
    start: (root, c) => RplTrainer.start(root, c),
  },
];
const BACKENDS: readonly BackendName[] = ["ort", "wasm"];
const ROUNDS = 3;
/** Wall time of one timed window; the window ends at the first chunk boundary past it. */
const WINDOW_MS = 8_000;
/** Env steps per `run({until})` call inside the window: the clock's granularity. */
const CHUNK_STEPS = 25;
/** Relay pretraining gradient steps: enough to exercise the phase, not part of the figure. */
const PRETRAIN_STEPS = 5;
/** E7's relay demo set: 2000 steps of successful expert episodes of at most 100 steps. */
const DEMO_STEPS = 2000;
const DEMO_MAX_EP_LEN = 100;
const ENV = "PointMassPush-v0";

/** The algorithm's condition config from its experiment, as `rapier-gym experiment` would start it. */
function runConfig(algo: Algo, demos: string): Record<string, unknown> {
  const experiment: Experiment = loadExperiment(algo.experiment);
  const condition = experiment.conditions.find((c) => c.label === algo.condition);
  if (condition === undefined) throw new Error(`${algo.experiment} has no condition "${algo.condition}"`);
  if (experiment.env !== ENV) throw new Error(`${algo.experiment} runs on ${experiment.env}, not ${ENV}`);
  const config: Record<string, unknown> = { ...condition.config, env: experiment.env, steps: experiment.steps, seed: 0 };
  if (algo.startSteps !== undefined) config["startSteps"] = algo.startSteps;
  if (config["algo"] !== "rpl") return config;
  const relay = typeof config["relay"] === "object" && config["relay"] !== null ? config["relay"] : {};
  return { ...config, demos, relay: { ...relay, pretrainSteps: PRETRAIN_STEPS, pretrainEvalEpisodes: 0 } };
}

/** Writes E7's relay demo set, from the scripted expert (no trained policy needed), to `path`. */
function collectRelayDemos(path: string): void {
  const env = make(ENV);
  try {
    const expert = new PushExpert();
    const set = collectDemos({
      env,
      envId: ENV,
      policy: (o) => expert.act(o),
      source: "expert",
      steps: DEMO_STEPS,
      maxEpLen: DEMO_MAX_EP_LEN,
      seed: 0,
    });
    writeDemoFile(path, set);
  } finally {
    env.close();
  }
}

/**
 * Fails unless every level updated in the last episode before the window and in every episode
 * inside it: a window in which some level had not yet started learning would flatter the figure.
 */
function checkLearning(root: string, algo: Algo, windowStart: number): void {
  const episodes = readMetrics(runPaths(root).metrics).filter((r) => r["train/return"] !== undefined);
  const before = episodes.filter((r) => r.step <= windowStart).at(-1);
  const checked = [before, ...episodes.filter((r) => r.step > windowStart)];
  for (const row of checked) {
    const missing = algo.lossKeys.filter((k) => row === undefined || typeof row[k] !== "number");
    if (missing.length > 0)
      throw new Error(
        `bench train: ${algo.name} had not started learning by step ${row?.step ?? "(no episode)"} (no ${missing.join(", ")}): raise its warm-up`,
      );
  }
}

interface Measurement {
  stepsPerSec: number;
  /** Env steps inside the window. */
  steps: number;
  /** Start and warm-up, for the progress line. */
  warmupSeconds: number;
}

/** One measurement: a fresh run, warmed up, then timed over WINDOW_MS. */
async function measure(algo: Algo, backend: BackendName, root: string, demos: string): Promise<Measurement> {
  await selectBackend(backend);
  const tStart = performance.now();
  const trainer = algo.start(root, runConfig(algo, demos));
  try {
    const { evalEvery, checkpointEvery } = trainer.config;
    // The loop evaluates on reaching evalEvery and checkpoints at the first episode end past checkpointEvery.
    const limit = Math.min(evalEvery, checkpointEvery) - 1;
    await trainer.run({ until: algo.warmupSteps });
    const start = trainer.step;
    const t0 = performance.now();
    const warmupSeconds = (t0 - tStart) / 1000;
    while (performance.now() - t0 < WINDOW_MS) {
      if (trainer.step >= limit)
        throw new Error(`bench train: ${algo.name} on ${backend} reached step ${limit} within the window: shorten WINDOW_MS`);
      await trainer.run({ until: Math.min(trainer.step + CHUNK_STEPS, limit) });
    }
    const seconds = (performance.now() - t0) / 1000;
    const steps = trainer.step - start;
    checkLearning(root, algo, start);
    return { stepsPerSec: steps / seconds, steps, warmupSeconds };
  } finally {
    trainer.close();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Every round measures every algorithm on both backends, the backend that goes first alternating. */
async function measureRounds(dir: string, demos: string): Promise<Map<string, number[]>> {
  const figures = new Map<string, number[]>();
  let run = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? BACKENDS : [...BACKENDS].reverse();
    for (const algo of ALGOS) {
      for (const backend of order) {
        const root = join(dir, `run-${run++}`);
        const t0 = performance.now();
        let m: Measurement;
        try {
          m = await measure(algo, backend, root, demos);
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
        const key = `${algo.name}/${backend}`;
        figures.set(key, [...(figures.get(key) ?? []), m.stepsPerSec]);
        const all = (performance.now() - t0) / 1000;
        process.stderr.write(
          `round ${round + 1}/${ROUNDS} ${algo.name.padEnd(7)} ${backend.padEnd(4)}: ${m.steps} env steps, ${m.stepsPerSec.toFixed(1)}/s (warm-up ${m.warmupSeconds.toFixed(0)} s, all ${all.toFixed(0)} s)\n`,
        );
      }
    }
  }
  return figures;
}

/** Per algorithm and backend the median of its rounds; on the ort row the ratio ort/wasm. */
export async function benchTrain(): Promise<BenchResult> {
  setOrtThreads(1);
  const dir = mkdtempSync(join(tmpdir(), "rapier-gym-bench-train-"));
  try {
    const demos = join(dir, "relay.demos");
    collectRelayDemos(demos);
    const figures = await measureRounds(dir, demos);
    const results: Record<string, string | number>[] = [];
    for (const algo of ALGOS) {
      const [ort, wasm] = BACKENDS.map((b) => median(figures.get(`${algo.name}/${b}`) ?? [Number.NaN]));
      for (const backend of BACKENDS) {
        const rounds = figures.get(`${algo.name}/${backend}`) ?? [];
        const row: Record<string, string | number> = { algo: algo.name, backend, envStepsPerSec: median(rounds) };
        if (backend === "ort") row["ortOverWasm"] = ort! / wasm!;
        row["minPerSec"] = Math.min(...rounds);
        row["maxPerSec"] = Math.max(...rounds);
        row["rounds"] = rounds.length;
        results.push(row);
      }
    }
    console.log(
      `env steps/s of training on ${ENV}: medians of ${ROUNDS} interleaved rounds, each a ${WINDOW_MS / 1000} s window after warm-up`,
    );
    return { suite: "train", results };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  printBench(await benchTrain());
}
