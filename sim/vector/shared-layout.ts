/**
 * The shared memory of a WorkerVectorEnv: typed-array views over one SharedArrayBuffer, laid out
 * from a plain `spec` that both sides rebuild the same views from.
 */
import type { VectorResetResult, VectorStepResult } from "./vector-env.js";

/** Per worker, four int32 slots: the command, the request counter, the done counter, an error flag. */
export const CTRL = { stride: 4, cmd: 0, request: 1, done: 2, error: 3 } as const;
export const CMD = { step: 1, reset: 2, close: 3 } as const;
const ERROR_BYTES = 2048;

export interface LayoutSpec {
  numEnvs: number;
  actDim: number;
  keys: { key: string; dim: number }[];
  numWorkers: number;
}

export class SharedLayout {
  readonly control: Int32Array;
  readonly seed: Float64Array;
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
      offset += Math.ceil(bytes / 8) * 8;
      return at;
    };
    this.control = new Int32Array(buffer, take(numWorkers * CTRL.stride * 4), numWorkers * CTRL.stride);
    this.seed = new Float64Array(buffer, take(8), 1);
    this.actions = new Float64Array(buffer, take(n * actDim * 8), n * actDim);
    for (const { key, dim } of keys) this.obs[key] = new Float64Array(buffer, take(n * dim * 8), n * dim);
    for (const { key, dim } of keys) this.finalObs[key] = new Float64Array(buffer, take(n * dim * 8), n * dim);
    this.rewards = new Float64Array(buffer, take(n * 8), n);
    this.flags = new Uint8Array(buffer, take(n * 4), n * 4);
    this.errors = new Uint8Array(buffer, take(numWorkers * ERROR_BYTES), numWorkers * ERROR_BYTES);
  }

  static allocate(numEnvs: number, actDim: number, keys: { key: string; dim: number }[], numWorkers: number): SharedLayout {
    const spec = { numEnvs, actDim, keys, numWorkers };
    const bytes = SharedLayout.byteLength(spec);
    return new SharedLayout(new SharedArrayBuffer(bytes), spec);
  }

  static attach(buffer: SharedArrayBuffer, spec: LayoutSpec): SharedLayout {
    return new SharedLayout(buffer, spec);
  }

  private static byteLength({ numEnvs: n, actDim, keys, numWorkers }: LayoutSpec): number {
    const r8 = (b: number) => Math.ceil(b / 8) * 8;
    const obsBytes = keys.reduce((s, { dim }) => s + r8(n * dim * 8), 0);
    return r8(numWorkers * CTRL.stride * 4) + 8 + r8(n * actDim * 8) + 2 * obsBytes + r8(n * 8) + r8(n * 4) + r8(numWorkers * ERROR_BYTES);
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
    return { ...this.readReset(), rewards: this.rewards.slice(), terminated, truncated, finalObs };
  }

  private row(source: Record<string, Float64Array>, i: number): Record<string, Float64Array> {
    return Object.fromEntries(this.spec.keys.map(({ key, dim }) => [key, source[key]!.slice(i * dim, (i + 1) * dim)]));
  }
}

function copyAll(source: Record<string, Float64Array>): Record<string, Float64Array> {
  return Object.fromEntries(Object.entries(source).map(([k, v]) => [k, v.slice()]));
}
