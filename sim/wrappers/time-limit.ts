import { Wrapper, type DictObs, type Env, type ResetArgs, type ResetResult, type StepResult } from "../core/env.js";
import { packSnapshot, unpackSnapshot } from "../core/snapshot-codec.js";

/** Truncates an episode after `maxEpisodeSteps` steps: the only source of `truncated`. */
export class TimeLimit<O = DictObs> extends Wrapper<O> {
  private elapsedSteps = 0;

  constructor(
    env: Env<O>,
    readonly maxEpisodeSteps: number,
  ) {
    super(env);
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0) {
      throw new RangeError(`maxEpisodeSteps must be a positive integer, got ${maxEpisodeSteps}`);
    }
  }

  /** Steps taken since the last reset. */
  get elapsed(): number {
    return this.elapsedSteps;
  }

  override reset(args?: ResetArgs): ResetResult<O> {
    const result = this.env.reset(args);
    this.elapsedSteps = 0;
    return result;
  }

  override step(action: ArrayLike<number>): StepResult<O> {
    const result = this.env.step(action);
    this.elapsedSteps++;
    if (this.elapsedSteps >= this.maxEpisodeSteps) result.truncated = true;
    return result;
  }

  override snapshot(): Uint8Array {
    return packSnapshot({ elapsedSteps: this.elapsedSteps }, this.env.snapshot());
  }

  override restore(bytes: Uint8Array): void {
    const { header, body } = unpackSnapshot(bytes);
    this.env.restore(body);
    this.elapsedSteps = Number(header["elapsedSteps"]);
  }
}
