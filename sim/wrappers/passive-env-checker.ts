import { Wrapper, type DictObs, type ResetArgs, type ResetResult, type StepResult } from "../core/env.js";
import type { Space } from "../core/spaces.js";

/**
 * Checks, without changing anything, that the first reset and the first step return what the
 * spaces promise; as Gymnasium's PassiveEnvChecker, it throws on a broken env rather than letting
 * a learner train on garbage.
 */
export class PassiveEnvChecker<O = DictObs> extends Wrapper<O> {
  private checkedReset = false;
  private checkedStep = false;

  override reset(args?: ResetArgs): ResetResult<O> {
    const result = this.env.reset(args);
    if (!this.checkedReset) {
      this.checkedReset = true;
      assertInSpace(this.observationSpace, result.obs, `${this.unwrapped.toString()}: reset() observation`);
    }
    return result;
  }

  override step(action: ArrayLike<number>): StepResult<O> {
    const result = this.env.step(action);
    if (!this.checkedStep) {
      this.checkedStep = true;
      const where = `${this.unwrapped.toString()}: step()`;
      assertInSpace(this.observationSpace, result.obs, `${where} observation`);
      if (typeof result.reward !== "number" || Number.isNaN(result.reward))
        throw new TypeError(`${where} reward is not a number: ${String(result.reward)}`);
      if (typeof result.terminated !== "boolean" || typeof result.truncated !== "boolean")
        throw new TypeError(`${where} terminated/truncated must be booleans`);
    }
    return result;
  }
}

export function assertInSpace(space: Space, value: unknown, what: string): void {
  if (!space.contains(value)) throw new TypeError(`${what} is not in the observation space ${space.toString()}`);
}
