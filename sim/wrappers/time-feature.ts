import { Wrapper, type DictObs, type ResetArgs, type ResetResult, type StepResult } from "../core/env.js";
import { Box, Dict } from "../core/spaces.js";
import type { TimeLimit } from "./time-limit.js";

/**
 * Appends the episode's remaining time, 1 - t / maxEpisodeSteps (1 at reset, 0 at the time
 * limit), to the `observation` vector, as SB3-contrib's TimeFeatureWrapper does (Pardo et al.
 * 2018, "Time Limits in Reinforcement Learning"). With a fixed horizon the time left is part of
 * the state: without it a policy cannot tell an early step from a late one in the same pose, and
 * the critic bootstraps through the limit as though the episode went on. RL Baselines3 Zoo
 * trains every panda-gym task with it. `make(id, { timeFeature: true })` puts it outermost; it
 * reads the clock of the TimeLimit it wraps, whose snapshot carries it.
 */
export class TimeFeature extends Wrapper<DictObs> {
  private readonly space: Dict;

  constructor(override readonly env: TimeLimit<DictObs>) {
    super(env);
    const inner = env.observationSpace;
    if (inner.type !== "Dict") throw new TypeError(`TimeFeature needs a Dict observation space, got ${inner.type}`);
    const observation = inner.box("observation");
    this.space = new Dict({
      ...inner.spaces,
      observation: new Box([...observation.low, 0], [...observation.high, 1], undefined, observation.dtype),
    });
  }

  override get observationSpace(): Dict {
    return this.space;
  }

  override reset(args?: ResetArgs): ResetResult<DictObs> {
    const result = this.env.reset(args);
    return { ...result, obs: this.withTime(result.obs) };
  }

  override step(action: ArrayLike<number>): StepResult<DictObs> {
    const result = this.env.step(action);
    return { ...result, obs: this.withTime(result.obs) };
  }

  private withTime(obs: DictObs): DictObs {
    const observation = obs["observation"]!;
    const out = new Float64Array(observation.length + 1);
    out.set(observation);
    out[observation.length] = Math.max(0, 1 - this.env.elapsed / this.env.maxEpisodeSteps);
    return { ...obs, observation: out };
  }
}
