/**
 * GoalEnv with Promise results. An env across a socket cannot answer synchronously, so the remote
 * env mirrors sim/core/env.ts's contract method for method, each returning a Promise. Left out:
 * `unwrapped` and `npRandom` (the server's objects, not reachable from here) and `scene`/`frame`
 * (they arrive as pushes after `subscribe`).
 */
import type { DictObs, EnvSpec, GoalObs, Info, ResetArgs, ResetResult, StepResult } from "../sim/core/env.js";
import type { Box, Dict, Space } from "../sim/core/spaces.js";

export interface AsyncEnv<O = DictObs> {
  readonly observationSpace: Space;
  readonly actionSpace: Box;
  readonly spec: EnvSpec | null;
  reset(args?: ResetArgs): Promise<ResetResult<O>>;
  step(action: ArrayLike<number>): Promise<StepResult<O>>;
  /** Idempotent, as Env.close. */
  close(): Promise<void>;
  snapshot(): Promise<Uint8Array>;
  restore(bytes: Uint8Array): Promise<void>;
  toString(): string;
}

export interface AsyncGoalEnv extends AsyncEnv<GoalObs> {
  readonly observationSpace: Dict;
  /** As GoalEnv.computeReward: rows flattened in order, `goalDim` numbers each. */
  computeReward(achieved: Float64Array, desired: Float64Array, info?: Info, goalDim?: number): Promise<Float64Array>;
}
