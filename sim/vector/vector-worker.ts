/**
 * The thread behind a WorkerVectorEnv: runs a SyncVectorEnv over envs [start, end) and answers
 * commands through shared memory until told to close.
 */
import { parentPort, workerData } from "node:worker_threads";
import "../envs.js";
import { SyncVectorEnv } from "./sync-vector-env.js";
import { CMD, CTRL, SharedLayout, type LayoutSpec } from "./shared-layout.js";

interface WorkerInput {
  id: string;
  kwargs: Record<string, unknown>;
  start: number;
  end: number;
  worker: number;
  buffer: SharedArrayBuffer;
  spec: LayoutSpec;
}

const input = workerData as WorkerInput;
const shared = SharedLayout.attach(input.buffer, input.spec);
const { start, end, worker } = input;
const base = worker * CTRL.stride;
const actDim = input.spec.actDim;

let envs: SyncVectorEnv;
try {
  envs = new SyncVectorEnv(input.id, end - start, input.kwargs);
  parentPort!.postMessage({ ready: true });
} catch (e) {
  parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) });
  process.exit(1);
}

function writeRows(obs: Record<string, Float64Array>, target: Record<string, Float64Array>, local: number): void {
  for (const { key, dim } of input.spec.keys) target[key]!.set(obs[key]!.subarray(local * dim, (local + 1) * dim), (start + local) * dim);
}

function serve(cmd: number): void {
  if (cmd === CMD.reset) {
    const seed = shared.seed[0]!;
    const r = envs.reset(Number.isNaN(seed) ? {} : { seed: seed + start });
    for (let i = 0; i < end - start; i++) {
      writeRows(r.obs, shared.obs, i);
      shared.flags[4 * (start + i) + 2] = r.isSuccess[i]!;
    }
  } else if (cmd === CMD.step) {
    const r = envs.step(shared.actions.subarray(start * actDim, end * actDim));
    for (let i = 0; i < end - start; i++) {
      const g = start + i;
      writeRows(r.obs, shared.obs, i);
      shared.rewards[g] = r.rewards[i]!;
      shared.flags[4 * g] = r.terminated[i]!;
      shared.flags[4 * g + 1] = r.truncated[i]!;
      shared.flags[4 * g + 2] = r.isSuccess[i]!;
      const final = r.finalObs[i];
      shared.flags[4 * g + 3] = final ? 1 : 0;
      if (final) for (const { key, dim } of input.spec.keys) shared.finalObs[key]!.set(final[key]!, g * dim);
    }
  } else if (cmd === CMD.close) {
    envs.close();
  }
}

let seen = 0;
for (;;) {
  Atomics.wait(shared.control, base + CTRL.request, seen);
  seen = Atomics.load(shared.control, base + CTRL.request);
  const cmd = Atomics.load(shared.control, base + CTRL.cmd);
  try {
    serve(cmd);
    Atomics.store(shared.control, base + CTRL.error, 0);
  } catch (e) {
    shared.writeError(worker, e instanceof Error ? e.message : String(e));
    Atomics.store(shared.control, base + CTRL.error, 1);
  }
  Atomics.store(shared.control, base + CTRL.done, seen);
  Atomics.notify(shared.control, base + CTRL.done);
  if (cmd === CMD.close) break;
}
