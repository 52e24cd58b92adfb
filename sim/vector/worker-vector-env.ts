/**
 * N envs spread over worker threads, so that every core steps physics. The threads share one
 * SharedArrayBuffer and are driven by Atomics (no message per step): the main thread writes the
 * actions, bumps each worker's request counter, and sleeps in Atomics.wait until every worker has
 * written back. Each worker runs a SyncVectorEnv over its slice of the envs.
 */
import { Worker } from "node:worker_threads";
import { EnvError } from "../core.js";
import { make } from "../registry.js";
import type { Box, Dict } from "../spaces.js";
import { obsLayout, type VectorEnv, type VectorResetResult, type VectorStepResult } from "./vector-env.js";
import { SharedLayout, CMD, CTRL } from "./shared-layout.js";
import { siblingModule, workerEntry } from "../worker-entry.js";

export class WorkerVectorEnv implements VectorEnv {
  private closed = false;

  private constructor(
    readonly numEnvs: number,
    readonly singleObservationSpace: Dict,
    readonly singleActionSpace: Box,
    private readonly shared: SharedLayout,
    private readonly workers: Worker[],
    private readonly slices: [number, number][],
  ) {}

  /** Starts `numWorkers` threads (default: one per env, at most 2) and builds the envs in them. */
  static async create(id: string, numEnvs: number, options: { kwargs?: Record<string, unknown>; numWorkers?: number } = {}): Promise<WorkerVectorEnv> {
    if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new RangeError(`numEnvs must be a positive integer, got ${numEnvs}`);
    const kwargs = options.kwargs ?? {};
    const numWorkers = Math.min(numEnvs, options.numWorkers ?? 2);
    // Build one env here to validate the id and kwargs before any thread starts.
    const probe = make(id, kwargs);
    const observationSpace = probe.observationSpace;
    const actionSpace = probe.actionSpace;
    probe.close();
    const shared = SharedLayout.allocate(numEnvs, actionSpace.size, obsLayout(observationSpace), numWorkers);
    const slices: [number, number][] = Array.from({ length: numWorkers }, (_, w) => [
      Math.floor((w * numEnvs) / numWorkers),
      Math.floor(((w + 1) * numEnvs) / numWorkers),
    ]);
    const [entry, entryOptions] = workerEntry(siblingModule(import.meta.url, "vector-worker"));
    const workers = slices.map(
      ([start, end], w) =>
        new Worker(entry, {
          ...entryOptions,
          workerData: { id, kwargs, start, end, worker: w, buffer: shared.buffer, spec: shared.spec },
        }),
    );
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            worker.once("message", (m: { ready?: true; error?: string }) => (m.ready ? resolve() : reject(new Error(m.error))));
            worker.once("error", reject);
          }),
      ),
    );
    return new WorkerVectorEnv(numEnvs, observationSpace, actionSpace, shared, workers, slices);
  }

  reset(args: { seed?: number } = {}): VectorResetResult {
    this.run(CMD.reset, args.seed);
    return this.shared.readReset();
  }

  step(actions: Float64Array): VectorStepResult {
    const actDim = this.singleActionSpace.size;
    if (actions.length !== this.numEnvs * actDim) {
      throw new EnvError("BAD_ACTION", `vector step needs ${this.numEnvs} rows of ${actDim} actions (${this.numEnvs * actDim} numbers), got ${actions.length}`);
    }
    for (let i = 0; i < actions.length; i++) {
      if (!Number.isFinite(actions[i])) throw new EnvError("BAD_ACTION", `action row ${Math.floor(i / actDim)}, entry ${i % actDim} must be a finite number, got ${actions[i]}`);
    }
    this.shared.actions.set(actions);
    this.run(CMD.step);
    return this.shared.readStep();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.run(CMD.close);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Sends one command to every worker and waits until all have answered. */
  private run(cmd: number, seed?: number): void {
    if (this.closed && cmd !== CMD.close) throw new EnvError("CLOSED", "this vector env is closed");
    const ctrl = this.shared.control;
    this.shared.seed[0] = seed ?? Number.NaN;
    for (let w = 0; w < this.workers.length; w++) {
      const base = w * CTRL.stride;
      Atomics.store(ctrl, base + CTRL.cmd, cmd);
      Atomics.add(ctrl, base + CTRL.request, 1);
      Atomics.notify(ctrl, base + CTRL.request);
    }
    for (let w = 0; w < this.workers.length; w++) {
      const base = w * CTRL.stride;
      const request = Atomics.load(ctrl, base + CTRL.request);
      while (Atomics.load(ctrl, base + CTRL.done) !== request) Atomics.wait(ctrl, base + CTRL.done, Atomics.load(ctrl, base + CTRL.done), 1000);
      if (Atomics.load(ctrl, base + CTRL.error) !== 0) {
        const [start, end] = this.slices[w]!;
        throw new Error(`vector worker ${w} (envs ${start}..${end - 1}) failed: ${this.shared.readError(w)}`);
      }
    }
  }
}
