/**
 * N envs spread over threads, so that every free core steps physics. The calling thread steps a
 * share of the envs itself while worker threads step the rest: it would otherwise idle at the
 * barrier that ends every vector step, and be woken at its end. The threads share one
 * SharedArrayBuffer and are driven by Atomics (no message per step): this thread writes the
 * actions, bumps each busy worker's request counter, steps its own envs, then waits until every
 * busy worker has written back. Every thread writes its envs' rows to the shared buffer, and
 * this thread copies them out.
 *
 * The pool never has more threads than cores, this one included. How many of them step envs is
 * tuned as the env runs (ThreadTuner): beside another busy process a barrier per step can cost
 * more than a second thread brings. Envs move between threads as snapshots, which continue
 * bit-identically, so results never depend on where an env runs.
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { EnvError } from "../core.js";
import { make } from "../registry.js";
import type { Box, Dict } from "../spaces.js";
import { obsLayout, type VectorEnv, type VectorResetResult, type VectorStepResult } from "./vector-env.js";
import { SharedLayout, CMD, CTRL, waitWhile } from "./shared-layout.js";
import { EnvGroup } from "./env-group.js";
import { ThreadTuner, assignEnvs, maxThreads, spinBudget } from "./thread-plan.js";
import { siblingModule, workerEntry } from "../worker-entry.js";

export interface WorkerVectorEnvOptions {
  kwargs?: Record<string, unknown>;
  /**
   * Threads that step envs, this one included; never more than the cores
   * (`os.availableParallelism()`) nor the envs. @defaultValue the cores
   */
  numThreads?: number;
  /** Tune how many of the threads step envs by measured step times; false keeps them all busy. @defaultValue true */
  tune?: boolean;
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

interface WorkerThread {
  thread: Worker;
  /** This side of the channel env snapshots travel on. */
  port: MessagePort;
}

export class WorkerVectorEnv implements VectorEnv {
  private closed = false;
  private loadCheckedAt = Number.NEGATIVE_INFINITY;
  /** Workers that step at least one env. */
  private busy: number[];

  private constructor(
    readonly numEnvs: number,
    readonly singleObservationSpace: Dict,
    readonly singleActionSpace: Box,
    private readonly shared: SharedLayout,
    private readonly local: EnvGroup,
    private readonly workers: WorkerThread[],
    /** Env i's thread: 0 is this one, w + 1 is worker w. */
    private readonly owner: Int32Array,
    private tuner: ThreadTuner | null,
    private readonly maxSpinMs: number,
  ) {
    this.busy = busyWorkers(owner, workers.length);
  }

  /** Builds the envs, here and in worker threads: one thread per core at most, this one included. */
  static async create(id: string, numEnvs: number, options: WorkerVectorEnvOptions = {}): Promise<WorkerVectorEnv> {
    if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new RangeError(`numEnvs must be a positive integer, got ${numEnvs}`);
    const { numThreads } = options;
    if (numThreads !== undefined && (!Number.isInteger(numThreads) || numThreads < 1)) throw new RangeError(`numThreads must be a positive integer, got ${numThreads}`);
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
      const tuner = options.tune === false ? null : new ThreadTuner(threads);
      return new WorkerVectorEnv(numEnvs, first.observationSpace, first.actionSpace, shared, local, workers, owner, tuner, spinMs);
    } catch (e) {
      local.close();
      throw e;
    }
  }

  /** Threads in the pool, this one included: what `numThreads`, the cores and the envs allow. */
  get numThreads(): number {
    return this.workers.length + 1;
  }

  /** Threads stepping envs now, this one included. */
  get threadsInUse(): number {
    return this.busy.length + 1;
  }

  reset(args: { seed?: number } = {}): VectorResetResult {
    this.shared.seed[0] = args.seed ?? Number.NaN;
    this.run(CMD.reset, () => this.local.reset(args.seed));
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
    const t0 = performance.now();
    this.followLoad(t0);
    this.shared.actions.set(actions);
    this.run(CMD.step, () => this.local.step());
    const result = this.shared.readStep();
    const threads = this.tuner?.record(performance.now() - t0) ?? null;
    if (threads !== null) this.spread(threads);
    return result;
  }

  /**
   * Steps the envs on `threads` threads (1 to numThreads) from now on, split evenly, and stops
   * tuning the count: for runs that want a fixed placement, and for tests.
   */
  useThreads(threads: number): void {
    if (!Number.isInteger(threads) || threads < 1 || threads > this.numThreads) {
      throw new RangeError(`threads must be an integer from 1 to ${this.numThreads}, got ${threads}`);
    }
    if (this.closed) throw new EnvError("CLOSED", "this vector env is closed");
    this.tuner = null;
    this.spread(threads);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.busy = this.workers.map((_, w) => w);
    this.run(CMD.close, () => this.local.close());
    await Promise.all(this.workers.map((w) => w.thread.terminate()));
    for (const w of this.workers) w.port.close();
  }

  /** Polls (or not) as the load average now says: see spinBudget. */
  private followLoad(now: number): void {
    if (now - this.loadCheckedAt < LOAD_CHECK_MS) return;
    this.loadCheckedAt = now;
    this.shared.spinMs[0] = spinBudget(this.maxSpinMs);
  }

  /**
   * Sends a command to every busy worker, does this thread's part meanwhile, then waits until
   * all have answered; throws this thread's error, or else the first worker's.
   */
  private run(cmd: number, here: () => void): void {
    if (this.closed && cmd !== CMD.close) throw new EnvError("CLOSED", "this vector env is closed");
    for (const w of this.busy) this.post(w, cmd);
    let failure: unknown = null;
    try {
      here();
    } catch (e) {
      failure = e;
    }
    for (const w of this.busy) {
      const error = this.await(w);
      failure ??= error;
    }
    if (failure !== null) throw failure;
  }

  private post(w: number, cmd: number, env = -1): void {
    const ctrl = this.shared.control;
    const base = w * CTRL.stride;
    Atomics.store(ctrl, base + CTRL.env, env);
    Atomics.store(ctrl, base + CTRL.cmd, cmd);
    Atomics.add(ctrl, base + CTRL.request, 1);
    Atomics.notify(ctrl, base + CTRL.request);
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

  /** Moves envs so that `threads` threads step them, split as assignEnvs splits them. */
  private spread(threads: number): void {
    const target = assignEnvs(this.numEnvs, threads);
    try {
      for (let i = 0; i < this.numEnvs; i++) if (this.owner[i] !== target[i]) this.moveEnv(i, target[i]!);
    } finally {
      this.busy = busyWorkers(this.owner, this.workers.length);
    }
  }

  /** Moves env i to `thread` through this one: a worker gives it up here, and from here it goes on. */
  private moveEnv(i: number, thread: number): void {
    const from = this.owner[i]!;
    if (from !== 0) this.local.receive(i, this.exportEnv(from - 1, i));
    this.owner[i] = 0;
    if (thread !== 0) this.importEnv(thread - 1, i);
    this.owner[i] = thread;
  }

  private exportEnv(w: number, i: number): Uint8Array {
    this.post(w, CMD.export, i);
    const error = this.await(w);
    if (error) throw error;
    const message = receiveMessageOnPort(this.workers[w]!.port);
    if (!message) throw new Error(`vector worker ${w} sent no snapshot of env ${i}`);
    return message.message as Uint8Array;
  }

  /** Hands this thread's env i to worker w; if the worker fails to take it, the env stays here. */
  private importEnv(w: number, i: number): void {
    const snapshot = this.local.release(i);
    this.workers[w]!.port.postMessage(snapshot);
    this.post(w, CMD.import, i);
    const error = this.await(w);
    if (!error) return;
    this.local.receive(i, snapshot);
    throw error;
  }
}

function busyWorkers(owner: Int32Array, numWorkers: number): number[] {
  return Array.from({ length: numWorkers }, (_, w) => w).filter((w) => owner.includes(w + 1));
}

/** Starts the workers, each building the envs `owner` gives it; all are stopped if one fails. */
async function startWorkers(id: string, kwargs: Record<string, unknown>, shared: SharedLayout, owner: Int32Array, count: number): Promise<WorkerThread[]> {
  const [entry, entryOptions] = workerEntry(siblingModule(import.meta.url, "vector-worker"));
  const workers = Array.from({ length: count }, (_, w): WorkerThread => {
    const { port1, port2 } = new MessageChannel();
    const envs = Array.from(owner.keys()).filter((i) => owner[i] === w + 1);
    const workerData = { id, kwargs, envs, worker: w, buffer: shared.buffer, spec: shared.spec, port: port2 };
    return { thread: new Worker(entry, { ...entryOptions, workerData, transferList: [port2] }), port: port1 };
  });
  const ready = (w: WorkerThread) =>
    new Promise<void>((resolve, reject) => {
      w.thread.once("message", (m: { ready?: true; error?: string }) => (m.ready ? resolve() : reject(new Error(m.error))));
      w.thread.once("error", reject);
    });
  try {
    await Promise.all(workers.map(ready));
  } catch (e) {
    await Promise.all(workers.map((w) => w.thread.terminate()));
    for (const w of workers) w.port.close();
    throw e;
  }
  return workers;
}
