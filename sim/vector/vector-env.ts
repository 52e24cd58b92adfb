/**
 * Vector envs step several copies of one env in lock-step, with SB3's VecEnv conventions: a
 * finished env is reset inside the same step, and its last observation goes in `finalObs`.
 * Rows are concatenated: key k of env i is `obs[k].subarray(i * dim, (i + 1) * dim)`.
 */
import type { Box, Dict } from "../core/spaces.js";

export interface VectorResetResult {
  obs: Record<string, Float64Array>;
  /** `info.is_success` of the step just taken (of the reset, after reset). */
  isSuccess: Uint8Array;
}

export interface VectorStepResult extends VectorResetResult {
  rewards: Float64Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  /** The observation that ended env i's episode, or null if it did not end this step. */
  finalObs: (Record<string, Float64Array> | null)[];
}

export interface VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Dict;
  readonly singleActionSpace: Box;
  /** Env i is seeded with `seed + i`. */
  reset(args?: { seed?: number }): VectorResetResult;
  /** `actions` holds one row of actionDim numbers per env. */
  step(actions: Float64Array): VectorStepResult;
  close(): void | Promise<void>;
}

/** The key layout of a Dict observation space, in its own order. */
export function obsLayout(space: Dict): { key: string; dim: number }[] {
  return Object.entries(space.spaces).map(([key, s]) => {
    if (s.type !== "Box") throw new TypeError(`vector envs need a Dict of Boxes; ${key} is a ${s.type}`);
    return { key, dim: s.size };
  });
}
