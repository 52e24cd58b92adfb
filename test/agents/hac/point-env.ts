/**
 * A tiny deterministic goal env for the HAC tests: a point in the plane that moves by exactly
 * 0.1 × action per step (no physics), with the PointMass reward (-1 when farther than 0.15 from
 * the goal, else 0; per 2-D pair, so it also scores subgoals of any even size). Every subgoal
 * space is the point itself; `full_positional_state` repeats it (4-D).
 */
import {
  Box,
  Dict,
  Rng,
  TimeLimit,
  isGoalEnv,
  type GoalEnv,
  type GoalObs,
  type Info,
  type ResetArgs,
  type StepResult,
} from "../../../sim/index.js";
import type { Frame, SceneDescription } from "../../../sim/index.js";

export const STEP = 0.1;
export const THRESHOLD = 0.15;

export class PointEnv implements GoalEnv {
  readonly observationSpace: Dict;
  readonly actionSpace = new Box(-1, 1, [2]);
  spec = null;
  readonly npRandom = new Rng(0);
  private p = new Float64Array(2);

  /** `controllableBounds`: the declared bounds of `controllable_achieved_goal` (an arm's workspace is not centred on 0). */
  constructor(
    private readonly start: readonly [number, number] = [0, 0],
    private goal: readonly [number, number] = [2, 2],
    controllableBounds: readonly [number, number] = [-5, 5],
  ) {
    this.observationSpace = new Dict({
      observation: new Box(-5, 5, [2]),
      achieved_goal: new Box(-5, 5, [2]),
      desired_goal: new Box(-5, 5, [2]),
      controllable_achieved_goal: new Box(controllableBounds[0], controllableBounds[1], [2]),
      full_positional_state: new Box(-5, 5, [4]),
    });
  }

  get unwrapped(): GoalEnv {
    return this;
  }

  reset(args?: ResetArgs): { obs: GoalObs; info: Info } {
    if (args?.seed !== undefined) this.npRandom.reseed(args.seed);
    this.p = Float64Array.from(this.start);
    return { obs: this.obs(), info: { is_success: this.success() } };
  }

  step(action: ArrayLike<number>): StepResult<GoalObs> {
    for (let d = 0; d < 2; d++) this.p[d]! += STEP * Math.max(-1, Math.min(1, action[d]!));
    const obs = this.obs();
    return {
      obs,
      reward: this.computeReward(obs.achieved_goal, obs.desired_goal)[0]!,
      terminated: false,
      truncated: false,
      info: { is_success: this.success() },
    };
  }

  computeReward(achieved: Float64Array, desired: Float64Array, _info?: Info, goalDim = 2): Float64Array {
    const out = new Float64Array(achieved.length / goalDim);
    for (let row = 0; row < out.length; row++) {
      for (let i = row * goalDim; i < (row + 1) * goalDim; i += 2) {
        out[row]! += Math.hypot(achieved[i]! - desired[i]!, achieved[i + 1]! - desired[i + 1]!) > THRESHOLD ? -1 : 0;
      }
    }
    return out;
  }

  close(): void {}
  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({ p: [...this.p], rng: this.npRandom.state }));
  }
  restore(bytes: Uint8Array): void {
    const s = JSON.parse(new TextDecoder().decode(bytes)) as { p: number[]; rng: number[] };
    this.p = Float64Array.from(s.p);
    this.npRandom.state = s.rng;
  }
  scene(): SceneDescription {
    return { env: "Point", up: "z", bodies: [], markers: [], dt: 0.1 };
  }
  frame(): Frame {
    return { step: 0, poses: [], markers: {} };
  }
  toString(): string {
    return "Point";
  }

  private obs(): GoalObs {
    const p = Float64Array.from(this.p);
    return {
      observation: p,
      achieved_goal: Float64Array.from(p),
      desired_goal: Float64Array.from(this.goal),
      controllable_achieved_goal: Float64Array.from(p),
      full_positional_state: Float64Array.of(p[0]!, p[1]!, p[0]!, p[1]!),
    };
  }

  private success(): boolean {
    return Math.hypot(this.p[0]! - this.goal[0], this.p[1]! - this.goal[1]) <= THRESHOLD;
  }
}

/** The point env under a time limit, as `make` would wrap it. */
export function pointEnv(
  maxEpisodeSteps: number,
  start?: [number, number],
  goal?: [number, number],
  controllableBounds?: [number, number],
): GoalEnv {
  return timeLimited(new PointEnv(start, goal, controllableBounds), maxEpisodeSteps);
}

/** `env` (a point env, or one derived from it) under a time limit. */
export function timeLimited(env: PointEnv, maxEpisodeSteps: number): GoalEnv {
  const limited = new TimeLimit<GoalObs>(env, maxEpisodeSteps);
  if (!isGoalEnv(limited)) throw new Error("the wrapped point env lost computeReward");
  return limited;
}
