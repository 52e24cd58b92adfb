/**
 * An env as the server holds it behind a handle: a single env or a vector env behind one
 * interface that speaks the protocol's wire form (plain number arrays), so that the session
 * never branches on the kind of env.
 */
import { EnvError, type EnvSpec, type GoalEnv, type Info } from "../sim/core/env.js";
import type { Frame, SceneDescription } from "../sim/physics/scene.js";
import type { Box, Dict } from "../sim/core/spaces.js";
import type { SyncVectorEnv } from "../sim/vector/sync-vector-env.js";
import { ProtocolError } from "../protocol/protocol-error.js";
import type { Result } from "../protocol/messages.js";

/** An action as it arrives: one row, or one row per env of a vector env. */
export type WireAction = number[] | number[][];
type WireObs = Record<string, number[]>;

export interface HostedEnv {
  readonly numEnvs: number;
  /** The spaces of one env, for a vector env too (SB3's VecEnv convention). */
  readonly observationSpace: Dict;
  readonly actionSpace: Box;
  readonly spec: EnvSpec;
  reset(seed: number | undefined, options: Record<string, unknown> | undefined): Result<"reset">;
  step(action: WireAction): Result<"step">;
  computeReward(achieved: Float64Array, desired: Float64Array, goalDim: number): Float64Array;
  snapshot(): Uint8Array;
  restore(bytes: Uint8Array): void;
  scene(index: number): SceneDescription;
  frame(index: number): Frame;
  close(): void;
}

export class SingleHostedEnv implements HostedEnv {
  readonly numEnvs = 1;

  constructor(private readonly env: GoalEnv) {}

  get observationSpace(): Dict {
    return this.env.observationSpace;
  }
  get actionSpace(): Box {
    return this.env.actionSpace;
  }
  get spec(): EnvSpec {
    return this.env.spec ?? { id: this.env.toString(), kwargs: {}, maxEpisodeSteps: null };
  }

  reset(seed: number | undefined, options: Record<string, unknown> | undefined): Result<"reset"> {
    const r = this.env.reset({ ...(seed !== undefined ? { seed } : {}), ...(options !== undefined ? { options } : {}) });
    return { obs: wireObs(r.obs), info: wireInfo(r.info) };
  }

  step(action: WireAction): Result<"step"> {
    if (action.some((v) => Array.isArray(v))) {
      throw new ProtocolError(
        "BAD_ACTION",
        `${this.spec.id} is a single env: action must be one row of ${this.actionSpace.size} numbers, not a 2-D array`,
      );
    }
    const r = this.env.step(action as number[]);
    return { obs: wireObs(r.obs), reward: r.reward, terminated: r.terminated, truncated: r.truncated, info: wireInfo(r.info) };
  }

  computeReward(achieved: Float64Array, desired: Float64Array, goalDim: number): Float64Array {
    return this.env.computeReward(achieved, desired, {}, goalDim);
  }

  snapshot(): Uint8Array {
    return this.env.snapshot();
  }
  restore(bytes: Uint8Array): void {
    this.env.restore(bytes);
  }
  scene(index: number): SceneDescription {
    checkIndex(index, 1);
    return this.env.scene();
  }
  frame(index: number): Frame {
    checkIndex(index, 1);
    return this.env.frame();
  }
  close(): void {
    this.env.close();
  }
}

export class VectorHostedEnv implements HostedEnv {
  constructor(private readonly vec: SyncVectorEnv) {}

  get numEnvs(): number {
    return this.vec.numEnvs;
  }
  get observationSpace(): Dict {
    return this.vec.singleObservationSpace;
  }
  get actionSpace(): Box {
    return this.vec.singleActionSpace;
  }
  get spec(): EnvSpec {
    return this.first.spec ?? { id: this.first.toString(), kwargs: {}, maxEpisodeSteps: null };
  }
  private get first(): GoalEnv {
    return this.vec.envs[0]!;
  }

  reset(seed: number | undefined, options: Record<string, unknown> | undefined): Result<"reset"> {
    if (options !== undefined)
      throw new ProtocolError("BAD_OPTIONS", "reset options are for single envs; a vector env resets every env from its own generator");
    const r = this.vec.reset(seed === undefined ? {} : { seed });
    return { obs: this.rows(r.obs), info: { is_success: Array.from(r.isSuccess, Boolean) } };
  }

  step(action: WireAction): Result<"step"> {
    const n = this.numEnvs;
    const d = this.actionSpace.size;
    if (action.length !== n || !action.every((row) => Array.isArray(row) && row.length === d)) {
      throw new ProtocolError("BAD_ACTION", `this vector env needs ${n} rows of ${d} numbers (a 2-D array), got ${describeShape(action)}`);
    }
    const flat = new Float64Array(n * d);
    (action as number[][]).forEach((row, i) => flat.set(row, i * d));
    const r = this.vec.step(flat);
    return {
      obs: this.rows(r.obs),
      reward: Array.from(r.rewards),
      terminated: Array.from(r.terminated, Boolean),
      truncated: Array.from(r.truncated, Boolean),
      info: { is_success: Array.from(r.isSuccess, Boolean), final_obs: r.finalObs.map((o) => (o === null ? null : wireObs(o))) },
    };
  }

  computeReward(achieved: Float64Array, desired: Float64Array, goalDim: number): Float64Array {
    return this.first.computeReward(achieved, desired, {}, goalDim);
  }

  snapshot(): Uint8Array {
    throw new ProtocolError("BAD_REQUEST", `snapshot works on single envs; this handle is a vector of ${this.numEnvs} envs`);
  }
  restore(): void {
    throw new ProtocolError("BAD_REQUEST", `restore works on single envs; this handle is a vector of ${this.numEnvs} envs`);
  }
  scene(index: number): SceneDescription {
    checkIndex(index, this.numEnvs);
    return this.vec.envs[index]!.scene();
  }
  frame(index: number): Frame {
    checkIndex(index, this.numEnvs);
    return this.vec.envs[index]!.frame();
  }
  close(): void {
    this.vec.close();
  }

  /** Splits the vector env's concatenated rows into one array per env. */
  private rows(obs: Record<string, Float64Array>): Record<string, number[][]> {
    const n = this.numEnvs;
    return Object.fromEntries(
      Object.entries(obs).map(([key, flat]) => {
        const dim = flat.length / n;
        return [key, Array.from({ length: n }, (_, i) => Array.from(flat.subarray(i * dim, (i + 1) * dim)))];
      }),
    );
  }
}

function wireObs(obs: Record<string, Float64Array>): WireObs {
  return Object.fromEntries(Object.entries(obs).map(([k, v]) => [k, Array.from(v)]));
}

/** Typed arrays in an info dict would serialise as objects keyed "0", "1", ...: send arrays. */
function wireInfo(info: Info): Info {
  return Object.fromEntries(
    Object.entries(info).map(([k, v]) => [k, ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as Float64Array) : v]),
  );
}

function checkIndex(index: number, numEnvs: number): void {
  if (index >= numEnvs)
    throw new ProtocolError("BAD_REQUEST", `index ${index} is out of range: this handle holds ${numEnvs} env${numEnvs === 1 ? "" : "s"}`);
}

function describeShape(action: WireAction): string {
  const rows = action.map((r) => (Array.isArray(r) ? `${r.length}` : "a number"));
  return `${action.length} entries (${rows.slice(0, 4).join(", ")}${rows.length > 4 ? ", ..." : ""})`;
}

/** EnvError codes that name a client's mistake pass through as protocol codes. */
export function envErrorCode(
  e: EnvError,
): "BAD_ACTION" | "BAD_OPTIONS" | "RESET_NEEDED" | "BAD_KWARGS" | "UNKNOWN_ENV" | "BAD_SNAPSHOT" | "INTERNAL" {
  return e.code === "CLOSED" ? "INTERNAL" : e.code;
}
