/**
 * The envs one thread of a WorkerVectorEnv steps, by their index in the vector: the same code
 * runs in the workers and in the calling thread, and writes each env's row to shared memory.
 */
import type { GoalEnv } from "../core/env.js";
import { make } from "../registry.js";
import type { SharedLayout } from "./shared-layout.js";

export class EnvGroup {
  private readonly envs = new Map<number, GoalEnv>();

  constructor(
    private readonly id: string,
    private readonly kwargs: Record<string, unknown>,
    private readonly shared: SharedLayout,
  ) {}

  /** Takes env i on: `env` if given (already built), else a new one. */
  adopt(i: number, env: GoalEnv = make(this.id, this.kwargs)): void {
    this.envs.set(i, env);
  }

  /** Steps every env with its row of the shared actions and writes its row back, resetting an env whose episode ended. */
  step(): void {
    const d = this.shared.spec.actDim;
    const actions = this.shared.actions;
    for (const [i, env] of this.envs) {
      const r = env.step(actions.subarray(i * d, (i + 1) * d));
      this.shared.writeStep(i, r, r.terminated || r.truncated ? env.reset().obs : null);
    }
  }

  /** Resets every env, env i with `seed + i` when a seed is given. */
  reset(seed: number | undefined): void {
    for (const [i, env] of this.envs) {
      const r = env.reset(seed === undefined ? {} : { seed: seed + i });
      this.shared.writeReset(i, r.obs, r.info.is_success === true);
    }
  }

  close(): void {
    for (const env of this.envs.values()) env.close();
    this.envs.clear();
  }
}
