/**
 * What every goal env built on one Rapier world shares, whatever its robot and task: reset
 * (options checked before anything changes, the world restored to its pristine bytes) and step
 * (act, simulate, observe, reward), close, snapshot and restore (the world's bytes plus counters,
 * goal and generator), and the scene and frames the viewer draws. PointMassEnv and PandaEnv extend
 * it and bring their spaces, their reset options, how an episode starts, how an action drives the
 * robot, the observation and the reward.
 */
import type { z } from "zod";
import { EnvError, type EnvSpec, type GoalEnv, type GoalObs, type Info, type ResetArgs, type ResetResult, type StepResult } from "./core/env.js";
import type { Box, Dict } from "./core/spaces.js";
import { Rng } from "./core/rng.js";
import type { PhysicsWorld } from "./physics/world.js";
import type { Frame, SceneDescription, SceneMarker } from "./physics/scene.js";
import { packEnvSnapshot, unpackEnvSnapshot } from "./core/snapshot-codec.js";

/** The part of a task the shared code needs: its goal and its markers. */
export interface GoalTaskView {
  readonly goal: Float64Array;
  readonly goalDim: number;
  markers(): SceneMarker[];
  markerPositions(): Record<string, [number, number, number]>;
}

/** `ResetOverrides`: the parsed reset options, every field optional (no options: `{}`). */
export abstract class WorldGoalEnv<ResetOverrides extends object> implements GoalEnv {
  abstract readonly observationSpace: Dict;
  abstract readonly actionSpace: Box;
  spec: EnvSpec | null = null;
  readonly npRandom = new Rng(0);
  protected elapsedSteps = 0;
  protected needsReset = true;
  private closed = false;

  constructor(
    readonly id: string,
    /** Public for benchmarks, which time the bare physics inside a step. */
    readonly world: PhysicsWorld,
    /** Physics steps per env step. */
    private readonly substeps: number,
  ) {}

  protected abstract get goalTask(): GoalTaskView;
  /** The world as built, restored at every reset so that a reset never depends on history. */
  protected abstract readonly pristine: Uint8Array;
  /** End the episode (terminated) on success; the original envs never did. */
  protected abstract readonly terminateOnSuccess: boolean;
  /** The reset options this env takes (goal, start positions); every field optional. */
  protected abstract readonly resetOptionsSchema: z.ZodType<ResetOverrides>;
  /** Places the robot, objects and goal for a new episode, the world just restored. */
  protected abstract startEpisode(overrides: ResetOverrides): void;
  /** Hands a validated action to the robot's controller. */
  protected abstract applyAction(action: ArrayLike<number>): void;
  protected abstract observe(): GoalObs;
  protected abstract isSuccess(achieved: Float64Array, desired: Float64Array): boolean;
  abstract computeReward(achieved: Float64Array, desired: Float64Array, info?: Info, goalDim?: number): Float64Array;

  reset(args: ResetArgs = {}): ResetResult<GoalObs> {
    this.assertOpen();
    const overrides = this.parseResetOptions(args.options);
    if (args.seed !== undefined) this.npRandom.reseed(args.seed);
    this.world.restore(this.pristine);
    this.startEpisode(overrides);
    this.elapsedSteps = 0;
    this.needsReset = false;
    const obs = this.observe();
    return { obs, info: { is_success: this.isSuccess(obs.achieved_goal, obs.desired_goal) } };
  }

  step(action: ArrayLike<number>): StepResult<GoalObs> {
    this.checkStep(action);
    this.applyAction(action);
    this.world.step(this.substeps);
    this.elapsedSteps++;
    const obs = this.observe();
    const reward = this.computeReward(obs.achieved_goal, obs.desired_goal)[0]!;
    const success = this.isSuccess(obs.achieved_goal, obs.desired_goal);
    return { obs, reward, terminated: this.terminateOnSuccess && success, truncated: false, info: { is_success: success } };
  }

  get unwrapped(): this {
    return this;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.world.free();
  }

  snapshot(): Uint8Array {
    this.assertOpen();
    const state = { elapsedSteps: this.elapsedSteps, needsReset: this.needsReset, goal: Array.from(this.goalTask.goal), rng: this.npRandom.state };
    return packEnvSnapshot(this.id, state, this.world.snapshot());
  }

  restore(bytes: Uint8Array): void {
    this.assertOpen();
    const { state, world } = unpackEnvSnapshot(bytes, this.id, this.goalTask.goalDim);
    this.npRandom.state = state.rng;
    this.world.restore(world);
    this.goalTask.goal.set(state.goal);
    this.elapsedSteps = state.elapsedSteps;
    this.needsReset = state.needsReset;
  }

  scene(): SceneDescription {
    // dt: simulated seconds per env step, the rate at which frames are meant to play.
    return { env: this.id, up: "z", bodies: this.world.sceneBodiesDescription(), markers: this.goalTask.markers(), dt: this.substeps * this.world.timestep };
  }

  frame(): Frame {
    return this.world.frame(this.elapsedSteps, this.goalTask.markerPositions());
  }

  toString(): string {
    return this.id;
  }

  protected assertOpen(): void {
    if (this.closed) throw new EnvError("CLOSED", `${this.id} is closed`);
  }

  /** Checks reset options before anything changes, so a bad option leaves the env as it was. */
  private parseResetOptions(options: Record<string, unknown> | undefined): ResetOverrides {
    if (options === undefined) return {} as ResetOverrides;
    const parsed = this.resetOptionsSchema.safeParse(options ?? {});
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "options"}: ${i.message}`).join("; ");
      throw new EnvError("BAD_OPTIONS", `${this.id}: bad reset options: ${problems}`);
    }
    return parsed.data;
  }

  /** What must hold before a step changes anything: open, reset, and a valid action. */
  private checkStep(action: ArrayLike<number>): void {
    this.assertOpen();
    if (this.needsReset) throw new EnvError("RESET_NEEDED", `${this.id}: call reset() before step()`);
    validateAction(action, this.actionSpace.size, this.id);
  }
}

/** Rejects, before anything changes, an action that is not `size` finite numbers. */
export function validateAction(action: ArrayLike<number>, size: number, id: string): void {
  if (action === null || typeof action !== "object" || typeof action.length !== "number") {
    throw new EnvError("BAD_ACTION", `${id}: action must be an array of ${size} numbers, got ${action === null ? "null" : typeof action}`);
  }
  if (action.length !== size) throw new EnvError("BAD_ACTION", `${id}: action must have length ${size}, got ${action.length}`);
  for (let i = 0; i < size; i++) {
    const v = action[i];
    if (typeof v !== "number" || !Number.isFinite(v)) throw new EnvError("BAD_ACTION", `${id}: action[${i}] must be a finite number, got ${String(v)}`);
  }
}
