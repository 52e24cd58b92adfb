/**
 * The shared memory of a WorkerVectorEnv: typed-array views over one SharedArrayBuffer, laid out
 * from a plain `spec` that both sides rebuild the same views from. Every thread writes the rows
 * of the envs it steps here, the calling thread too, and the calling thread copies them out.
 */
import type { GoalObs, StepResult } from "../core/env.js";
import type { VectorResetResult, VectorStepResult } from "./vector-env.js";

/**
 * Per worker, int32 slots: the command, the request counter, the done counter and an error flag.
 * A worker's slots fill a cache line of their own, so that one worker's counters never share a
 * line with another's.
 */
export const CTRL = { stride: 16, cmd: 0, request: 1, done: 2, error: 3 } as const;
export const CMD = { step: 1, reset: 2, close: 3 } as const;
const ERROR_BYTES = 2048;

/**
 * Waits until `ctrl[index]` is no longer `value`: polls for up to `spinMs`, then sleeps in
 * Atomics.wait. A thread that sleeps gives its core up, and on a quiet virtual machine an idle
 * core halts: waking it again costs tens of microseconds or more, twice per vector step. Polling
 * for about as long as the other side usually takes keeps the hand-off to a few microseconds.
 */
export function waitWhile(ctrl: Int32Array, index: number, value: number, spinMs: number): void {
  if (Atomics.load(ctrl, index) !== value) return;
  if (spinMs > 0) {
    const until = performance.now() + spinMs;
    while (performance.now() < until) if (Atomics.load(ctrl, index) !== value) return;
  }
  while (Atomics.load(ctrl, index) === value) Atomics.wait(ctrl, index, value, 1000);
}

export interface LayoutSpec {
  numEnvs: number;
  actDim: number;
  keys: { key: string; dim: number }[];
  numWorkers: number;
}

export class SharedLayout {
  readonly control: Int32Array;
  readonly seed: Float64Array;
  /** How long threads poll for each other before sleeping (ms), set by the calling thread. */
  readonly spinMs: Float64Array;
  readonly actions: Float64Array;
  readonly obs: Record<string, Float64Array> = {};
  readonly finalObs: Record<string, Float64Array> = {};
  readonly rewards: Float64Array;
  /** Per env: terminated, truncated, is_success, has final obs. */
  readonly flags: Uint8Array;
  private readonly errors: Uint8Array;

  private constructor(
    readonly buffer: SharedArrayBuffer,
    readonly spec: LayoutSpec,
  ) {
    const { numEnvs: n, actDim, keys, numWorkers } = spec;
    let offset = 0;
    const take = (bytes: number): number => {
      const at = offset;
      offset += Math.ceil(bytes / 64) * 64;
      return at;
    };
    this.control = new Int32Array(buffer, take(numWorkers * CTRL.stride * 4), numWorkers * CTRL.stride);
    this.seed = new Float64Array(buffer, take(8), 1);
    this.spinMs = new Float64Array(buffer, take(8), 1);
    this.actions = new Float64Array(buffer, take(n * actDim * 8), n * actDim);
    for (const { key, dim } of keys) this.obs[key] = new Float64Array(buffer, take(n * dim * 8), n * dim);
    for (const { key, dim } of keys) this.finalObs[key] = new Float64Array(buffer, take(n * dim * 8), n * dim);
    this.rewards = new Float64Array(buffer, take(n * 8), n);
    this.flags = new Uint8Array(buffer, take(n * 4), n * 4);
    this.errors = new Uint8Array(buffer, take(numWorkers * ERROR_BYTES), numWorkers * ERROR_BYTES);
  }

  static allocate(numEnvs: number, actDim: number, keys: { key: string; dim: number }[], numWorkers: number): SharedLayout {
    const spec = { numEnvs, actDim, keys, numWorkers };
    return new SharedLayout(new SharedArrayBuffer(SharedLayout.byteLength(spec)), spec);
  }

  static attach(buffer: SharedArrayBuffer, spec: LayoutSpec): SharedLayout {
    return new SharedLayout(buffer, spec);
  }

  private static byteLength({ numEnvs: n, actDim, keys, numWorkers }: LayoutSpec): number {
    const r64 = (b: number) => Math.ceil(b / 64) * 64;
    const obsBytes = keys.reduce((s, { dim }) => s + r64(n * dim * 8), 0);
    return (
      r64(numWorkers * CTRL.stride * 4) +
      2 * r64(8) +
      r64(n * actDim * 8) +
      2 * obsBytes +
      r64(n * 8) +
      r64(n * 4) +
      r64(numWorkers * ERROR_BYTES)
    );
  }

  writeError(worker: number, message: string): void {
    const bytes = new TextEncoder().encode(message).subarray(0, ERROR_BYTES - 1);
    const slot = this.errors.subarray(worker * ERROR_BYTES, (worker + 1) * ERROR_BYTES);
    slot.fill(0);
    slot.set(bytes);
  }

  readError(worker: number): string {
    const slot = this.errors.subarray(worker * ERROR_BYTES, (worker + 1) * ERROR_BYTES);
    const end = slot.indexOf(0);
    return new TextDecoder().decode(slot.slice(0, end < 0 ? slot.length : end));
  }

  /** Env i's row after a reset. */
  writeReset(i: number, obs: GoalObs, isSuccess: boolean): void {
    this.writeRow(this.obs, i, obs);
    this.flags[4 * i + 2] = isSuccess ? 1 : 0;
  }

  /**
   * Env i's row after a step, SB3's way: when the step ended the episode, `next` is the reset
   * that followed, whose observation takes the row while the step's goes to the final obs.
   */
  writeStep(i: number, r: StepResult<GoalObs>, next: GoalObs | null): void {
    this.rewards[i] = r.reward;
    this.flags[4 * i] = r.terminated ? 1 : 0;
    this.flags[4 * i + 1] = r.truncated ? 1 : 0;
    // Success of the step taken, as SB3 reports it, even when the env was reset after it.
    this.flags[4 * i + 2] = r.info.is_success ? 1 : 0;
    this.flags[4 * i + 3] = next ? 1 : 0;
    if (next) this.writeRow(this.finalObs, i, r.obs);
    this.writeRow(this.obs, i, next ?? r.obs);
  }

  private writeRow(target: Record<string, Float64Array>, i: number, row: GoalObs): void {
    for (const { key, dim } of this.spec.keys) target[key]!.set(row[key]!, i * dim);
  }

  /** Copies out of shared memory: the caller's arrays must not change under it at the next step. */
  readReset(): VectorResetResult {
    const n = this.spec.numEnvs;
    const isSuccess = new Uint8Array(n);
    for (let i = 0; i < n; i++) isSuccess[i] = this.flags[4 * i + 2]!;
    return { obs: copyAll(this.obs), isSuccess };
  }

  readStep(): VectorStepResult {
    const n = this.spec.numEnvs;
    const terminated = new Uint8Array(n);
    const truncated = new Uint8Array(n);
    const finalObs: (Record<string, Float64Array> | null)[] = [];
    for (let i = 0; i < n; i++) {
      terminated[i] = this.flags[4 * i]!;
      truncated[i] = this.flags[4 * i + 1]!;
      finalObs.push(this.flags[4 * i + 3] ? this.row(this.finalObs, i) : null);
    }
    const { obs, isSuccess } = this.readReset();
    return { obs, isSuccess, rewards: this.rewards.slice(), terminated, truncated, finalObs };
  }

  private row(source: Record<string, Float64Array>, i: number): Record<string, Float64Array> {
    return Object.fromEntries(this.spec.keys.map(({ key, dim }) => [key, source[key]!.slice(i * dim, (i + 1) * dim)]));
  }
}

function copyAll(source: Record<string, Float64Array>): Record<string, Float64Array> {
  return Object.fromEntries(Object.entries(source).map(([k, v]) => [k, v.slice()]));
}
