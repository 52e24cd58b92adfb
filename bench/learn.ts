/**
 * `rapier-gym bench learn`: updates/s of one full SAC update (critics, actor, alpha, polyak) for
 * the `seed` shape (batch 100, 2x256, obs 10, act 2) and `256x3` (batch 256, 3x256), on every
 * tfjs backend that starts here; then a per-kernel profile of the slowest case; then, when
 * Debian's python3-torch is importable, the PyTorch anchor (`shared/bench/anchor_sac_torch.py`,
 * the same update) on 1 and 2 OpenBLAS threads in this same run, and our ratio to its best.
 */
import * as tf from "@tensorflow/tfjs-core";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { availableBackends, selectBackend, type BackendName } from "../agents/nn/backend.js";
import { Sac, type SacBatch } from "../agents/sac/sac.js";
import { sacConfig } from "../agents/sac/sac-config.js";
import { Rng } from "../sim/rng.js";
import { printBench, type BenchResult } from "./bench-result.js";

interface Shape {
  name: "seed" | "256x3";
  batch: number;
  layers: number;
}

const SHAPES: readonly Shape[] = [
  { name: "seed", batch: 100, layers: 2 },
  { name: "256x3", batch: 256, layers: 3 },
];
const OBS_DIM = 10;
const ACT_DIM = 2;
const HIDDEN = 256;
const ROUNDS = 5;
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
  const config = sacConfig("sb3", { batchSize: shape.batch, hidden: new Array<number>(shape.layers).fill(HIDDEN) });
  return new Sac(OBS_DIM, ACT_DIM, 1, config, 0);
}

/** Best ms per update over ROUNDS rounds, after a warm-up: other load only ever slows a round. */
function msPerUpdate(shape: Shape): number {
  const agent = makeAgent(shape);
  const batch = randomBatch(shape.batch, new Rng(1));
  for (let i = 0; i < 5; i++) agent.update(batch);
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    let count = 0;
    while (count < MIN_UPDATES || performance.now() - t0 < ROUND_MS) {
      agent.update(batch);
      count++;
      if (count >= 3 && performance.now() - t0 > 10 * ROUND_MS) break;
    }
    best = Math.min(best, (performance.now() - t0) / count);
  }
  agent.dispose();
  return best;
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

/** The anchor's ms per update, or null when torch is not importable here. */
function torchMsPerUpdate(shape: Shape, threads: number): number | null {
  if (!fs.existsSync(ANCHOR) || !fs.existsSync(PYTHON)) return null;
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(threads) };
  delete env["OPENBLAS_CORETYPE"];
  delete env["OPENBLAS_L2_SIZE"];
  const args = [ANCHOR, String(shape.batch), String(HIDDEN), String(threads), String(OBS_DIM), String(ACT_DIM), "200", String(shape.layers)];
  let best: number | null = null;
  for (let round = 0; round < 2; round++) {
    const run = spawnSync(PYTHON, args, { env, encoding: "utf8" });
    const match = /:\s*([\d.]+) ms/.exec(run.stdout ?? "");
    if (run.status !== 0 || match === null) return null;
    const ms = Number(match[1]);
    best = best === null ? ms : Math.min(best, ms);
  }
  return best;
}

export async function benchLearn(): Promise<BenchResult> {
  const backends = await availableBackends();
  const results: Record<string, string | number>[] = [];
  let slowest: { shape: Shape; backend: BackendName; ms: number } | null = null;
  console.log("shape   backend  ms/update  updates/s");
  for (const backend of backends) {
    await selectBackend(backend);
    for (const shape of SHAPES) {
      const ms = msPerUpdate(shape);
      console.log(`${shape.name.padEnd(7)} ${backend.padEnd(8)} ${ms.toFixed(2).padStart(9)}  ${(1000 / ms).toFixed(1).padStart(9)}`);
      results.push({ shape: shape.name, backend, updatesPerSec: 1000 / ms, msPerUpdate: ms });
      if (backend !== "cpu" && (slowest === null || ms > slowest.ms)) slowest = { shape, backend, ms };
    }
  }
  if (slowest !== null) {
    await selectBackend(slowest.backend);
    console.log(`\nper-kernel profile, one update, ${slowest.shape.name} on ${slowest.backend} (kernel, total ms, calls):`);
    for (const [name, ms, calls] of await profile(slowest.shape)) console.log(`  ${name.padEnd(22)} ${ms.toFixed(3).padStart(8)} ${String(calls).padStart(5)}`);
  }
  for (const shape of SHAPES) {
    const torch = [1, 2].map((threads) => ({ threads, ms: torchMsPerUpdate(shape, threads) }));
    const measured = torch.filter((t): t is { threads: number; ms: number } => t.ms !== null);
    if (measured.length === 0) continue;
    for (const t of measured) {
      results.push({ shape: shape.name, backend: `torch-${t.threads}t`, updatesPerSec: 1000 / t.ms, msPerUpdate: t.ms });
    }
    const bestTorch = Math.min(...measured.map((t) => t.ms));
    for (const row of results) {
      if (row["shape"] === shape.name && !String(row["backend"]).startsWith("torch")) row["overTorch"] = bestTorch / Number(row["msPerUpdate"]);
    }
  }
  console.log("");
  return { suite: "learn", results };
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  printBench(await benchLearn());
}
