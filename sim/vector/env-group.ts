/**
 * The envs one thread of a WorkerVectorEnv steps, by their index in the vector: the same code
 * runs in the workers and in the calling thread, and writes each env's row to shared memory. An
 * env moves between threads as its snapshot, which continues bit-identically, so where an env
 * runs never changes what it returns.
 */
import type { GoalEnv } from "../core.js";
import { make } from "../registry.js";
import type { SharedLayout } from "./shared-layout.js";

export class EnvGroup {
  private readonly owned = new Map<number, GoalEnv>();
  /** Envs this thread gave away: restoring a snapshot into one is cheaper than building an env. */
  private readonly spare = new Map<number, GoalEnv>();

  constructor(
    private readonly id: string,
    private readonly kwargs: Record<string, unknown>,
    private readonly shared: SharedLayout,
  ) {}

  /** Takes env i on: `env` if given (already built), else a new one. */
  adopt(i: number, env: GoalEnv = make(this.id, this.kwargs)): void {
    this.owned.set(i, env);
  }

  /** Steps every env with its row of the shared actions and writes its row back, resetting an env whose episode ended. */
  step(): void {
    const d = this.shared.spec.actDim;
    const actions = this.shared.actions;
    for (const [i, env] of this.owned) {
      const r = env.step(actions.subarray(i * d, (i + 1) * d));
      this.shared.writeStep(i, r, r.terminated || r.truncated ? env.reset().obs : null);
    }
  }

  /** Resets every env, env i with `seed + i` when a seed is given. */
  reset(seed: number | undefined): void {
    for (const [i, env] of this.owned) {
      const r = env.reset(seed === undefined ? {} : { seed: seed + i });
      this.shared.writeReset(i, r.obs, r.info.is_success === true);
    }
  }

  /** Gives env i up to another thread: its snapshot. */
  release(i: number): Uint8Array {
    const env = this.owned.get(i);
    if (!env) throw new Error(`env ${i} is not stepped by this thread`);
    this.owned.delete(i);
    this.spare.set(i, env);
    return env.snapshot();
  }

  /** Takes env i on from another thread's snapshot. */
  receive(i: number, snapshot: Uint8Array): void {
    const env = this.spare.get(i) ?? make(this.id, this.kwargs);
    this.spare.delete(i);
    env.restore(snapshot);
    this.owned.set(i, env);
  }

  close(): void {
    for (const env of [...this.owned.values(), ...this.spare.values()]) env.close();
    this.owned.clear();
    this.spare.clear();
  }
}
