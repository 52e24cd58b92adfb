/**
 * N envs spread over threads, so that every core steps physics. The calling thread steps a share
 * of the envs itself while worker threads step the rest: it would otherwise idle at the barrier
 * that ends every vector step, and have to be woken at its end. The threads share one
 * SharedArrayBuffer and are driven by Atomics (no message per step): this thread writes the
 * actions, bumps each worker's request counter, steps its own envs, then waits until every
 * worker has written back. Every thread writes its envs' rows to the shared buffer, and this
 * thread copies them out.
 *
 * The pool never has more threads than cores, this one included.
 */
import { Worker } from "node:worker_threads";
import { EnvError } from "../core/env.js";
import { make } from "../registry.js";
import type { Box, Dict } from "../core/spaces.js";
import { obsLayout, type VectorEnv, type VectorResetResult, type VectorStepResult } from "./vector-env.js";
import { SharedLayout, CMD, CTRL, waitWhile } from "./shared-layout.js";
import { EnvGroup } from "./env-group.js";
import { assignEnvs, maxThreads, spinBudget } from "./thread-plan.js";
import { siblingModule, workerEntry } from "../worker-entry.js";

export interface WorkerVectorEnvOptions {
  kwargs?: Record<string, unknown>;
  /**
   * Threads that step envs, this one included; never more than the cores
   * (`os.availableParallelism()`) nor the envs. @defaultValue the cores
   */
  numThreads?: number;
  /**
   * Milliseconds a thread polls for the other side before it sleeps, a worker for the next
   * command, this thread for a worker's answer, while the load average leaves the cores free
   * (see spinBudget); 0 always sleeps at once. @defaultValue 0.5
   */
  spinMs?: number;
}

const DEFAULT_SPIN_MS = 0.5;
/** How often the poll budget follows the load average (which itself moves over a minute). */
const LOAD_CHECK_MS = 1000;

export class WorkerVectorEnv implements VectorEnv {
  private closed = false;
  private loadCheckedAt = Number.NEGATIVE_INFINITY;

  private constructor(
    readonly numEnvs: number,
    readonly singleObservationSpace: Dict,
    readonly singleActionSpace: Box,
    private readonly shared: SharedLayout,
    private readonly local: EnvGroup,
    private readonly workers: Worker[],
    /** Env i's thread: 0 is this one, w + 1 is worker w. */
    private readonly owner: Int32Array,
    private readonly maxSpinMs: number,
  ) {}

  /** Builds the envs, here and in worker threads: one thread per core at most, this one included. */
  static async create(id: string, numEnvs: number, options: WorkerVectorEnvOptions = {}): Promise<WorkerVectorEnv> {
    if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new RangeError(`numEnvs must be a positive integer, got ${numEnvs}`);
    const { numThreads } = options;
    if (numThreads !== undefined && (!Number.isInteger(numThreads) || numThreads < 1))
      throw new RangeError(`numThreads must be a positive integer, got ${numThreads}`);
    const spinMs = options.spinMs ?? DEFAULT_SPIN_MS;
    if (!(spinMs >= 0 && spinMs <= 1000)) throw new RangeError(`spinMs must be from 0 to 1000, got ${spinMs}`);
    const kwargs = options.kwargs ?? {};
    // Env 0 is built here first: it checks the id and kwargs before any thread starts.
    const first = make(id, kwargs);
    const threads = maxThreads(numEnvs, numThreads);
    const owner = assignEnvs(numEnvs, threads);
    const shared = SharedLayout.allocate(numEnvs, first.actionSpace.size, obsLayout(first.observationSpace), threads - 1);
    const local = new EnvGroup(id, kwargs, shared);
    local.adopt(0, first);
    try {
      for (let i = 1; i < numEnvs; i++) if (owner[i] === 0) local.adopt(i);
      const workers = await startWorkers(id, kwargs, shared, owner, threads - 1);
      return new WorkerVectorEnv(numEnvs, first.observationSpace, first.actionSpace, shared, local, workers, owner, spinMs);
    } catch (e) {
      local.close();
      throw e;
    }
  }

  /** Threads stepping envs, this one included: what `numThreads`, the cores and the envs allow. */
  get numThreads(): number {
    return this.workers.length + 1;
  }

  reset(args: { seed?: number } = {}): VectorResetResult {
    this.shared.seed[0] = args.seed ?? Number.NaN;
    this.run(CMD.reset, () => this.local.reset(args.seed));
    return this.shared.readReset();
  }

  step(actions: Float64Array): VectorStepResult {
    const actDim = this.singleActionSpace.size;
    if (actions.length !== this.numEnvs * actDim) {
      throw new EnvError(
        "BAD_ACTION",
        `vector step needs ${this.numEnvs} rows of ${actDim} actions (${this.numEnvs * actDim} numbers), got ${actions.length}`,
      );
    }
    for (let i = 0; i < actions.length; i++) {
      if (!Number.isFinite(actions[i]))
        throw new EnvError(
          "BAD_ACTION",
          `action row ${Math.floor(i / actDim)}, entry ${i % actDim} must be a finite number, got ${actions[i]}`,
        );
    }
    this.followLoad();
    this.shared.actions.set(actions);
    this.run(CMD.step, () => this.local.step());
    return this.shared.readStep();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.run(CMD.close, () => this.local.close());
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Polls (or not) as the load average now says: see spinBudget. */
  private followLoad(): void {
    const now = performance.now();
    if (this.workers.length === 0 || now - this.loadCheckedAt < LOAD_CHECK_MS) return;
    this.loadCheckedAt = now;
    this.shared.spinMs[0] = spinBudget(this.maxSpinMs);
  }

  /**
   * Sends a command to every worker, does this thread's part meanwhile, then waits until all
   * have answered; throws this thread's error, or else the first worker's.
   */
  private run(cmd: number, here: () => void): void {
    if (this.closed && cmd !== CMD.close) throw new EnvError("CLOSED", "this vector env is closed");
    const ctrl = this.shared.control;
    for (let w = 0; w < this.workers.length; w++) {
      const base = w * CTRL.stride;
      Atomics.store(ctrl, base + CTRL.cmd, cmd);
      Atomics.add(ctrl, base + CTRL.request, 1);
      Atomics.notify(ctrl, base + CTRL.request);
    }
    let failure: unknown = null;
    try {
      here();
    } catch (e) {
      failure = e;
    }
    for (let w = 0; w < this.workers.length; w++) {
      const error = this.await(w);
      failure ??= error;
    }
    if (failure !== null) throw failure;
  }

  /** Waits for worker w's answer to its last command: null, or the error it reported. */
  private await(w: number): Error | null {
    const ctrl = this.shared.control;
    const base = w * CTRL.stride;
    // One command at a time: the answer moves the done counter from request - 1 to request.
    waitWhile(ctrl, base + CTRL.done, Atomics.load(ctrl, base + CTRL.request) - 1, this.shared.spinMs[0]!);
    if (Atomics.load(ctrl, base + CTRL.error) === 0) return null;
    const envs = Array.from(this.owner.keys()).filter((i) => this.owner[i] === w + 1);
    return new Error(`vector worker ${w} (envs ${envs.join(", ")}) failed: ${this.shared.readError(w)}`);
  }
}

/** Starts the workers, each building the envs `owner` gives it; all are stopped if one fails. */
async function startWorkers(
  id: string,
  kwargs: Record<string, unknown>,
  shared: SharedLayout,
  owner: Int32Array,
  count: number,
): Promise<Worker[]> {
  const [entry, entryOptions] = workerEntry(siblingModule(import.meta.url, "vector-worker"));
  const workers = Array.from({ length: count }, (_, w) => {
    const envs = Array.from(owner.keys()).filter((i) => owner[i] === w + 1);
    return new Worker(entry, { ...entryOptions, workerData: { id, kwargs, envs, worker: w, buffer: shared.buffer, spec: shared.spec } });
  });
  const ready = (worker: Worker) =>
    new Promise<void>((resolve, reject) => {
      worker.once("message", (m: { ready?: true; error?: string }) => (m.ready ? resolve() : reject(new Error(m.error))));
      worker.once("error", reject);
    });
  try {
    await Promise.all(workers.map(ready));
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw e;
  }
  return workers;
}
