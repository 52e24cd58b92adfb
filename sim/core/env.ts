/**
 * The whole Env contract in one file, after Gymnasium 1.x `core.py`.
 *
 * - `reset({seed})` reseeds only when a seed is given; `step` returns `terminated` (a true end of
 *   the task) apart from `truncated` (a cut from outside: only the TimeLimit wrapper truncates).
 * - Goal envs return dict observations and a batched `computeReward`, as gymnasium-robotics.
 * - Every env can `snapshot()` to bytes and `restore(bytes)` and then continues bit-identically.
 */
import type { Box, Dict, Space } from "./spaces.js";
import type { Rng } from "./rng.js";
import type { Frame, SceneDescription } from "../physics/scene.js";

/** A dict observation: named float vectors. */
export type DictObs = Record<string, Float64Array>;

/** The observation of a goal-conditioned env; the last two keys are the subgoal spaces of HAC. */
export interface GoalObs extends DictObs {
  observation: Float64Array;
  achieved_goal: Float64Array;
  desired_goal: Float64Array;
  controllable_achieved_goal: Float64Array;
  full_positional_state: Float64Array;
}

/** Per-step diagnostics; `is_success` is present on reset and every step of a goal env. */
export interface Info {
  is_success?: boolean;
  [key: string]: unknown;
}

export interface ResetArgs {
  /** Reseeds the env's generator; without it the generator continues. */
  seed?: number;
  options?: Record<string, unknown>;
}

export interface ResetResult<O> {
  obs: O;
  info: Info;
}

export interface StepResult<O> {
  obs: O;
  reward: number;
  /** The task itself ended (a terminal state: do not bootstrap). */
  terminated: boolean;
  /** Cut from outside, e.g. by the time limit (bootstrap from `obs`). */
  truncated: boolean;
  info: Info;
}

/** How `make` built an env: enough to build it again. */
export interface EnvSpec {
  id: string;
  kwargs: Record<string, unknown>;
  maxEpisodeSteps: number | null;
}

export interface Env<O = DictObs> {
  readonly observationSpace: Space;
  readonly actionSpace: Box;
  /** Set by `make`; null for an env built by hand. */
  spec: EnvSpec | null;
  reset(args?: ResetArgs): ResetResult<O>;
  step(action: ArrayLike<number>): StepResult<O>;
  /** Idempotent: frees the physics world the first time, does nothing after. */
  close(): void;
  /** The env's whole state (physics, goals, counters, generator) as bytes. */
  snapshot(): Uint8Array;
  restore(bytes: Uint8Array): void;
  /** What the viewer needs to build the scene once: bodies, shapes, colours. */
  scene(): SceneDescription;
  /** The poses of the scene's bodies now, plus goal markers. */
  frame(): Frame;
  /** The innermost env, below every wrapper. */
  readonly unwrapped: Env<O>;
  /** The env's generator, seeded by `reset({seed})`. */
  readonly npRandom: Rng;
  toString(): string;
}

export interface GoalEnv extends Env<GoalObs> {
  readonly observationSpace: Dict;
  /**
   * Rewards for a batch of (achieved, desired) goal pairs, rows flattened in order: row i is
   * `achieved.subarray(i * d, (i + 1) * d)` with d the goal size. The step reward always equals
   * this function applied to the step's own goals (tests assert it on every registered env).
   * `goalDim` lets callers score other goal spaces of the same layout (HAC's subgoals).
   */
  computeReward(achieved: Float64Array, desired: Float64Array, info?: Info, goalDim?: number): Float64Array;
}

export function isGoalEnv(env: Env<unknown>): env is GoalEnv {
  return typeof (env as Partial<GoalEnv>).computeReward === "function";
}

/**
 * A wrapper forwards everything to the env inside it, so that wrappers compose; it prints as
 * nested names, `TimeLimit<OrderEnforcing<PointMassPush-v0>>`, as in Gymnasium.
 */
export abstract class Wrapper<O = DictObs> implements Env<O> {
  spec: EnvSpec | null;

  constructor(readonly env: Env<O>) {
    this.spec = env.spec;
  }

  get observationSpace(): Space {
    return this.env.observationSpace;
  }
  get actionSpace(): Box {
    return this.env.actionSpace;
  }
  get unwrapped(): Env<O> {
    return this.env.unwrapped;
  }
  get npRandom(): Rng {
    return this.env.npRandom;
  }
  reset(args?: ResetArgs): ResetResult<O> {
    return this.env.reset(args);
  }
  step(action: ArrayLike<number>): StepResult<O> {
    return this.env.step(action);
  }
  close(): void {
    this.env.close();
  }
  snapshot(): Uint8Array {
    return this.env.snapshot();
  }
  restore(bytes: Uint8Array): void {
    this.env.restore(bytes);
  }
  scene(): SceneDescription {
    return this.env.scene();
  }
  frame(): Frame {
    return this.env.frame();
  }
  /** Forwarded to the innermost env, so that a wrapped goal env is still a goal env. */
  computeReward(achieved: Float64Array, desired: Float64Array, info?: Info, goalDim?: number): Float64Array {
    const inner = this.unwrapped;
    if (!isGoalEnv(inner)) throw new TypeError(`${inner.toString()} is not a goal env: it has no computeReward`);
    return inner.computeReward(achieved, desired, info, goalDim);
  }
  toString(): string {
    return `${this.constructor.name}<${this.env.toString()}>`;
  }
}

/** The error every env raises for bad input: its message names the problem. */
export class EnvError extends Error {
  constructor(
    readonly code: "BAD_ACTION" | "BAD_OPTIONS" | "RESET_NEEDED" | "BAD_KWARGS" | "UNKNOWN_ENV" | "CLOSED" | "BAD_SNAPSHOT",
    message: string,
  ) {
    super(message);
    this.name = "EnvError";
  }
}
