/**
 * A worker thread of a WorkerVectorEnv: steps the envs it was given and answers commands through
 * shared memory until told to close.
 */
import { parentPort, workerData } from "node:worker_threads";
import "../envs.js";
import { EnvGroup } from "./env-group.js";
import { CMD, CTRL, SharedLayout, waitWhile, type LayoutSpec } from "./shared-layout.js";

interface WorkerInput {
  id: string;
  kwargs: Record<string, unknown>;
  /** The envs this worker steps, by their index in the vector. */
  envs: number[];
  worker: number;
  buffer: SharedArrayBuffer;
  spec: LayoutSpec;
}

const input = workerData as WorkerInput;
const shared = SharedLayout.attach(input.buffer, input.spec);
const base = input.worker * CTRL.stride;
const ctrl = shared.control;
const group = new EnvGroup(input.id, input.kwargs, shared);

try {
  for (const i of input.envs) group.adopt(i);
  parentPort!.postMessage({ ready: true });
} catch (e) {
  parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) });
  process.exit(1);
}

function serve(cmd: number): void {
  if (cmd === CMD.step) group.step();
  else if (cmd === CMD.reset) {
    const seed = shared.seed[0]!;
    group.reset(Number.isNaN(seed) ? undefined : seed);
  } else if (cmd === CMD.close) group.close();
}

let seen = 0;
for (;;) {
  waitWhile(ctrl, base + CTRL.request, seen, shared.spinMs[0]!);
  seen = Atomics.load(ctrl, base + CTRL.request);
  const cmd = Atomics.load(ctrl, base + CTRL.cmd);
  try {
    serve(cmd);
    Atomics.store(ctrl, base + CTRL.error, 0);
  } catch (e) {
    shared.writeError(input.worker, e instanceof Error ? e.message : String(e));
    Atomics.store(ctrl, base + CTRL.error, 1);
  }
  Atomics.store(ctrl, base + CTRL.done, seen);
  Atomics.notify(ctrl, base + CTRL.done);
  if (cmd === CMD.close) break;
}
