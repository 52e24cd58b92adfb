import { EnvError, type GoalEnv, type GoalObs } from "../core/env.js";
import { make } from "../registry.js";
import type { Box, Dict } from "../core/spaces.js";
import { obsLayout, type VectorEnv, type VectorResetResult, type VectorStepResult } from "./vector-env.js";

/** N envs stepped one after the other in this thread. */
export class SyncVectorEnv implements VectorEnv {
  readonly envs: GoalEnv[];
  readonly singleObservationSpace: Dict;
  readonly singleActionSpace: Box;
  private readonly layout: { key: string; dim: number }[];

  constructor(
    id: string,
    readonly numEnvs: number,
    kwargs: Record<string, unknown> = {},
  ) {
    if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new RangeError(`numEnvs must be a positive integer, got ${numEnvs}`);
    this.envs = Array.from({ length: numEnvs }, () => make(id, kwargs));
    this.singleObservationSpace = this.envs[0]!.observationSpace;
    this.singleActionSpace = this.envs[0]!.actionSpace;
    this.layout = obsLayout(this.singleObservationSpace);
  }

  reset(args: { seed?: number } = {}): VectorResetResult {
    const out = this.allocate();
    this.envs.forEach((env, i) => {
      const r = env.reset(args.seed === undefined ? {} : { seed: args.seed + i });
      this.write(out.obs, i, r.obs);
      out.isSuccess[i] = r.info.is_success ? 1 : 0;
    });
    return out;
  }

  step(actions: Float64Array): VectorStepResult {
    const actDim = this.singleActionSpace.size;
    if (actions.length !== this.numEnvs * actDim) {
      throw new EnvError(
        "BAD_ACTION",
        `vector step needs ${this.numEnvs} rows of ${actDim} actions (${this.numEnvs * actDim} numbers), got ${actions.length}`,
      );
    }
    const out: VectorStepResult = {
      ...this.allocate(),
      rewards: new Float64Array(this.numEnvs),
      terminated: new Uint8Array(this.numEnvs),
      truncated: new Uint8Array(this.numEnvs),
      finalObs: new Array<Record<string, Float64Array> | null>(this.numEnvs).fill(null),
    };
    this.envs.forEach((env, i) => {
      const r = env.step(actions.subarray(i * actDim, (i + 1) * actDim));
      out.rewards[i] = r.reward;
      out.terminated[i] = r.terminated ? 1 : 0;
      out.truncated[i] = r.truncated ? 1 : 0;
      // Success of the step taken, as SB3 reports it, even when the env is reset below.
      out.isSuccess[i] = r.info.is_success ? 1 : 0;
      if (r.terminated || r.truncated) {
        out.finalObs[i] = r.obs;
        this.write(out.obs, i, env.reset().obs);
      } else {
        this.write(out.obs, i, r.obs);
      }
    });
    return out;
  }

  close(): void {
    for (const env of this.envs) env.close();
  }

  private allocate(): VectorResetResult {
    const obs = Object.fromEntries(this.layout.map(({ key, dim }) => [key, new Float64Array(this.numEnvs * dim)]));
    return { obs, isSuccess: new Uint8Array(this.numEnvs) };
  }

  private write(obs: Record<string, Float64Array>, i: number, row: GoalObs): void {
    for (const { key, dim } of this.layout) obs[key]!.set(row[key]!, i * dim);
  }
}
