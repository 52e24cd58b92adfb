/**
 * `rapier-gym bench server`: env steps/s over loopback against the same env in process, for one
 * env and for a 16-env vector, and the round-trip latency of a single-env step. The server runs in
 * its own process (`rapier-gym serve`), as it would for a user; both sides of each ratio are
 * measured in this run, in alternating rounds, best of each kept.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { make, Rng } from "../sim/index.js";
import { SyncVectorEnv } from "../sim/vector/sync-vector-env.js";
import { ProtocolClient } from "../client/protocol-client.js";
import type { BenchResult } from "./bench-result.js";

const ENV = "PointMassPush-v0";
const SINGLE_STEPS = 2000;
const VECTOR_ENVS = 16;
const VECTOR_STEPS = 150;
const ROUNDS = 3;
const KWARGS = { maxEpisodeSteps: 1_000_000 };

/** Starts `rapier-gym serve --port 0` and resolves with its URL once it listens. */
async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", "cli/main.ts", "serve", "--port", "0"], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (ws:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`rapier-gym serve exited (${code}) before listening: ${out}`)));
  });
  return { url, child };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function actions(n: number, dim: number): number[][] {
  const rng = new Rng(0);
  return Array.from({ length: n }, () => Array.from({ length: dim }, () => rng.uniform(-1, 1)));
}

async function benchSingle(client: ProtocolClient): Promise<BenchResult["results"][number]> {
  const acts = actions(SINGLE_STEPS, 2);
  const local = make(ENV, KWARGS);
  const { handle } = await client.request("make", { env: ENV, kwargs: KWARGS });
  let localRate = 0;
  let remoteRate = 0;
  let localTimes: number[] = [];
  let remoteTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    local.reset({ seed: 0 });
    const lt: number[] = [];
    const l0 = performance.now();
    for (const a of acts) {
      const t = performance.now();
      local.step(a);
      lt.push(performance.now() - t);
    }
    const lr = SINGLE_STEPS / ((performance.now() - l0) / 1000);
    if (lr > localRate) [localRate, localTimes] = [lr, lt];

    await client.request("reset", { handle, seed: 0 });
    const rt: number[] = [];
    const r0 = performance.now();
    for (const a of acts) {
      const t = performance.now();
      await client.request("step", { handle, action: a });
      rt.push(performance.now() - t);
    }
    const rr = SINGLE_STEPS / ((performance.now() - r0) / 1000);
    if (rr > remoteRate) [remoteRate, remoteTimes] = [rr, rt];
  }
  local.close();
  await client.request("close", { handle });
  localTimes.sort((a, b) => a - b);
  remoteTimes.sort((a, b) => a - b);
  return {
    env: ENV,
    numEnvs: 1,
    stepsPerSec: remoteRate,
    localStepsPerSec: localRate,
    remoteOverLocal: remoteRate / localRate,
    rttP50Ms: percentile(remoteTimes, 0.5),
    rttP99Ms: percentile(remoteTimes, 0.99),
    addedP50Ms: percentile(remoteTimes, 0.5) - percentile(localTimes, 0.5),
  };
}

async function benchVector(client: ProtocolClient): Promise<BenchResult["results"][number]> {
  const rows = actions(VECTOR_STEPS * VECTOR_ENVS, 2);
  const batches = Array.from({ length: VECTOR_STEPS }, (_, t) => rows.slice(t * VECTOR_ENVS, (t + 1) * VECTOR_ENVS));
  const flat = batches.map((b) => Float64Array.from(b.flat()));
  const local = new SyncVectorEnv(ENV, VECTOR_ENVS, KWARGS);
  const { handle } = await client.request("make", { env: ENV, kwargs: KWARGS, numEnvs: VECTOR_ENVS });
  let localRate = 0;
  let remoteRate = 0;
  let remoteTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    local.reset({ seed: 0 });
    const l0 = performance.now();
    for (const a of flat) local.step(a);
    localRate = Math.max(localRate, (VECTOR_STEPS * VECTOR_ENVS) / ((performance.now() - l0) / 1000));

    await client.request("reset", { handle, seed: 0 });
    const rt: number[] = [];
    const r0 = performance.now();
    for (const a of batches) {
      const t = performance.now();
      await client.request("step", { handle, action: a });
      rt.push(performance.now() - t);
    }
    const rr = (VECTOR_STEPS * VECTOR_ENVS) / ((performance.now() - r0) / 1000);
    if (rr > remoteRate) [remoteRate, remoteTimes] = [rr, rt];
  }
  local.close();
  await client.request("close", { handle });
  remoteTimes.sort((a, b) => a - b);
  return {
    env: ENV,
    numEnvs: VECTOR_ENVS,
    stepsPerSec: remoteRate,
    localStepsPerSec: localRate,
    remoteOverLocal: remoteRate / localRate,
    rttP50Ms: percentile(remoteTimes, 0.5),
    rttP99Ms: percentile(remoteTimes, 0.99),
  };
}

export async function benchServer(): Promise<BenchResult> {
  const { url, child } = await startServer();
  try {
    const client = await ProtocolClient.connect(url);
    // Warm-up on both sides of the socket: JIT, the WASM module, ws buffers.
    const warm = await client.request("make", { env: ENV });
    await client.request("reset", { handle: warm.handle, seed: 0 });
    for (let t = 0; t < 300; t++) await client.request("step", { handle: warm.handle, action: [0.1, 0.1] });
    await client.request("close", { handle: warm.handle });
    const results = [await benchSingle(client), await benchVector(client)];
    await client.close();
    return { suite: "server", results };
  } finally {
    child.kill("SIGTERM");
  }
}
