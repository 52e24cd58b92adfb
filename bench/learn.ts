/**
 * `rapier-gym bench learn`: updates/s of one full SAC update (critics, actor, alpha, polyak) for
 * the `seed` shape (batch 100, 2x256, obs 10, act 2) and `256x3` (batch 256, 3x256), on ONNX
 * Runtime (one intra-op thread) and every tfjs backend but plain-JS cpu that starts here, and,
 * when Debian's python3-torch is importable, of the PyTorch anchor
 * (`shared/bench/anchor_sac_torch.py`, the same update) on 1 and 2 OpenBLAS threads, the sides
 * alternating round by round in this same run. Each case reports the median of its rounds (and
 * its best); our rows their ratio to the anchor's best median (`vsTorchBest`, above 1 means
 * faster). `256x3-tqc` is the 256x3 update with TQC's critics (25 atoms per net, 2 dropped, the
 * zoo's), on ONNX Runtime alone (the only learner that has them; the anchor has no TQC): what
 * the distributional critic adds to an update. Then a per-kernel profile of the slowest tfjs case.
 */
import * as tf from "@tensorflow/tfjs-core";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { availableBackends, selectBackend, type BackendName } from "../agents/nn/backend.js";
import { Sac, type SacBatch } from "../agents/sac/sac.js";
import { sacConfig } from "../agents/sac/sac-config.js";
import { Rng } from "../sim/core/rng.js";
import { printBench, type BenchResult } from "./bench-result.js";

interface Shape {
  name: "seed" | "256x3" | "256x3-tqc";
  batch: number;
  layers: number;
  tqc: boolean;
}

const SHAPES: readonly Shape[] = [
  { name: "seed", batch: 100, layers: 2, tqc: false },
  { name: "256x3", batch: 256, layers: 3, tqc: false },
  { name: "256x3-tqc", batch: 256, layers: 3, tqc: true },
];
const OBS_DIM = 10;
const ACT_DIM = 2;
const HIDDEN = 256;
const ROUNDS = 7;
/** Plain-JS tfjs takes ~100x longer than the rest and says nothing about them. */
const MEASURED_BACKENDS: readonly BackendName[] = ["ort", "node", "wasm"];
/** OpenBLAS thread counts the anchor runs with; the better one is the figure to beat. */
const TORCH_THREADS = [1, 2] as const;
/** Timed updates per anchor process (after its own 10 warm-up updates). */
const TORCH_UPDATES = 100;
const TORCH_TIMEOUT_MS = 30_000;
/** Per round; a round is at least this many updates and at least ROUND_MS long. */
const MIN_UPDATES = 20;
const ROUND_MS = 400;
const ANCHOR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../shared/bench/anchor_sac_torch.py");
const PYTHON = "/usr/bin/python3";

function randomBatch(n: number, rng: Rng): SacBatch {
  const fill = (len: number, scale = 1) => Float32Array.from({ length: len }, () => scale * rng.normal());
  return {
    obs: fill(n * OBS_DIM),
    act: Float32Array.from({ length: n * ACT_DIM }, () => rng.uniform(-1, 1)),
    rew: fill(n),
    nextObs: fill(n * OBS_DIM),
    done: new Float32Array(n),
  };
}

function makeAgent(shape: Shape): Sac {
  const config = sacConfig("sb3", {
    batchSize: shape.batch,
    hidden: new Array<number>(shape.layers).fill(HIDDEN),
    tqc: shape.tqc ? { quantiles: 25, dropPerNet: 2 } : null,
  });
  return new Sac(OBS_DIM, ACT_DIM, 1, config, 0);
}

/** ms per update over one timed round (at least MIN_UPDATES updates and ROUND_MS) of a fresh, warmed-up agent. */
function roundMsPerUpdate(shape: Shape): number {
  const agent = makeAgent(shape);
  const batch = randomBatch(shape.batch, new Rng(1));
  // Warm-up: XNNPACK packs each new right-hand operand once; later updates meet the steady state.
  for (let i = 0; i < 5; i++) agent.update(batch);
  const t0 = performance.now();
  let count = 0;
  while (count < MIN_UPDATES || performance.now() - t0 < ROUND_MS) {
    agent.update(batch);
    count++;
    if (count >= 3 && performance.now() - t0 > 10 * ROUND_MS) break;
  }
  const ms = (performance.now() - t0) / count;
  agent.dispose();
  return ms;
}

/** Total kernel ms per kernel name over one update, slowest first. */
async function profile(shape: Shape): Promise<[string, number, number][]> {
  const agent = makeAgent(shape);
  const batch = randomBatch(shape.batch, new Rng(1));
  for (let i = 0; i < 3; i++) agent.update(batch);
  const info = await tf.profile(() => {
    agent.update(batch);
  });
  agent.dispose();
  const byName = new Map<string, [number, number]>();
  for (const k of info.kernels) {
    const entry = byName.get(k.name) ?? [0, 0];
    entry[0] += Number(k.kernelTimeMs);
    entry[1] += 1;
    byName.set(k.name, entry);
  }
  return [...byName].map(([name, [ms, calls]]): [string, number, number] => [name, ms, calls]).sort((a, b) => b[1] - a[1]);
}

/**
 * One round of the anchor (a fresh process, TORCH_UPDATES timed updates): its ms per update;
 * `null` when this round gave no figure (it overran TORCH_TIMEOUT_MS: OpenBLAS threads that find
 * no free core spin); `"unavailable"` when torch cannot run here at all.
 */
function torchRoundMs(shape: Shape, threads: number): number | null | "unavailable" {
  if (!fs.existsSync(ANCHOR) || !fs.existsSync(PYTHON)) return "unavailable";
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(threads) };
  delete env["OPENBLAS_CORETYPE"];
  delete env["OPENBLAS_L2_SIZE"];
  const args = [
    ANCHOR,
    String(shape.batch),
    String(HIDDEN),
    String(threads),
    String(OBS_DIM),
    String(ACT_DIM),
    String(TORCH_UPDATES),
    String(shape.layers),
  ];
  const run = spawnSync(PYTHON, args, { env, encoding: "utf8", timeout: TORCH_TIMEOUT_MS });
  const match = /:\s*([\d.]+) ms/.exec(run.stdout ?? "");
  if (match !== null && run.status === 0) return Number(match[1]);
  return run.signal === "SIGTERM" ? null : "unavailable";
}

/** A measured case: its label and every round's ms per update. */
interface Case {
  shape: Shape;
  backend: string;
  rounds: number[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const torchBackend = (threads: number): string => (threads === 1 ? "torch-1thread" : `torch-${threads}threads`);

/**
 * Every case runs once per round, ours and the anchor's alternating: on a shared machine a slow
 * spell then hits both sides alike instead of one whole side.
 */
export async function benchLearn(): Promise<BenchResult> {
  const backends = (await availableBackends()).filter((b) => MEASURED_BACKENDS.includes(b));
  const cases = new Map<string, Case>();
  const record = (shape: Shape, backend: string, ms: number): void => {
    const key = `${shape.name}/${backend}`;
    const c = cases.get(key) ?? { shape, backend, rounds: [] };
    c.rounds.push(ms);
    cases.set(key, c);
  };
  let torchRuns = true;
  for (let round = 0; round < ROUNDS; round++) {
    for (const backend of backends) {
      await selectBackend(backend);
      for (const shape of SHAPES) if (backend === "ort" || !shape.tqc) record(shape, backend, roundMsPerUpdate(shape));
    }
    if (!torchRuns) continue;
    for (const shape of SHAPES.filter((s) => !s.tqc)) {
      for (const threads of TORCH_THREADS) {
        const ms = torchRoundMs(shape, threads);
        if (ms === "unavailable") torchRuns = false;
        else if (ms !== null) record(shape, torchBackend(threads), ms);
      }
    }
  }

  const ours = [...cases.values()].filter((c) => !c.backend.startsWith("torch"));
  const torch = [...cases.values()].filter((c) => c.backend.startsWith("torch"));
  const results: Record<string, string | number>[] = [];
  console.log(`medians of ${ROUNDS} interleaved rounds (best round in brackets)`);
  console.log("shape     backend          ms/update (best)   updates/s  vs torch best");
  for (const c of [...ours, ...torch]) {
    const ms = median(c.rounds);
    const best = Math.min(...c.rounds);
    const row: Record<string, string | number> = {
      shape: c.shape.name,
      backend: c.backend,
      updatesPerSec: 1000 / ms,
      msPerUpdate: ms,
      bestMsPerUpdate: best,
      rounds: c.rounds.length,
    };
    const torchBest = Math.min(...torch.filter((t) => t.shape.name === c.shape.name).map((t) => median(t.rounds)));
    const ratio = !c.backend.startsWith("torch") && Number.isFinite(torchBest) ? torchBest / ms : null;
    if (ratio !== null) row["vsTorchBest"] = ratio;
    console.log(
      `${c.shape.name.padEnd(9)} ${c.backend.padEnd(15)} ${ms.toFixed(2).padStart(9)} (${best.toFixed(2).padStart(6)})  ${(1000 / ms).toFixed(1).padStart(9)}  ${ratio === null ? "" : `${ratio.toFixed(2)}x`.padStart(13)}`,
    );
    results.push(row);
  }

  const slowest = ours.filter((c) => c.backend !== "ort").sort((a, b) => median(b.rounds) - median(a.rounds))[0];
  if (slowest !== undefined) {
    await selectBackend(slowest.backend as BackendName);
    console.log(`\nper-kernel profile, one update, ${slowest.shape.name} on ${slowest.backend} (kernel, total ms, calls):`);
    for (const [name, ms, calls] of await profile(slowest.shape))
      console.log(`  ${name.padEnd(22)} ${ms.toFixed(3).padStart(8)} ${String(calls).padStart(5)}`);
  }
  console.log("");
  return { suite: "learn", results };
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  printBench(await benchLearn());
}
