/**
 * One env for every robot and task, after panda-gym's RobotTaskEnv: a Robot and a Task built in
 * one Rapier world. It owns what they share, whatever they are: reset (options checked before
 * anything changes, the world restored to its pristine bytes), step (act, simulate, observe,
 * score), close, snapshot and restore (the world's bytes plus counters, goal and generator), and
 * the scene and frames the viewer draws. The PointMass and Panda families are factories over it
 * (sim/point-mass-env.ts, sim/panda-env.ts).
 */
import { EnvError, type EnvSpec, type GoalEnv, type GoalObs, type Info, type ResetArgs, type ResetResult, type StepResult } from "./env.js";
import { Box, Dict } from "./spaces.js";
import { Rng } from "./rng.js";
import type { Robot } from "./robot.js";
import type { Task } from "./task.js";
import type { PhysicsWorld } from "../physics/world.js";
import type { Frame, SceneDescription } from "../physics/scene.js";
import { packEnvSnapshot, unpackEnvSnapshot } from "./snapshot-codec.js";

export interface RobotTaskEnvOptions {
  id: string;
  /** Physics steps per env step. */
  substeps: number;
  /** End the episode (terminated) on success; the original envs never did. */
  terminateOnSuccess: boolean;
}

export class RobotTaskEnv<R extends Robot = Robot, T extends Task = Task> implements GoalEnv {
  readonly id: string;
  readonly observationSpace: Dict;
  readonly actionSpace: Box;
  spec: EnvSpec | null = null;
  readonly npRandom = new Rng(0);
  private elapsedSteps = 0;
  private needsReset = true;
  private closed = false;
  /** The world as built, restored at every reset so that a reset never depends on history. */
  private readonly pristine: Uint8Array;

  /** `world` holds the robot and the task, built: the env snapshots it as it is now. */
  constructor(
    /** Public for benchmarks, which time the bare physics inside a step. */
    readonly world: PhysicsWorld,
    readonly robot: R,
    readonly task: T,
    private readonly options: RobotTaskEnvOptions,
  ) {
    this.id = options.id;
    this.pristine = world.snapshot();
    this.actionSpace = robot.actionSpace;
    const c = robot.controllableSpace;
    const o = task.objectPositionSpace;
    this.observationSpace = new Dict({
      observation: new Box(-Infinity, Infinity, [robot.observationSize + task.observationSize]),
      achieved_goal: task.goalSpace,
      desired_goal: task.goalSpace,
      controllable_achieved_goal: c,
      full_positional_state: new Box([...c.low, ...o.low], [...c.high, ...o.high]),
    });
  }

  reset(args: ResetArgs = {}): ResetResult<GoalObs> {
    this.assertOpen();
    const overrides = this.parseResetOptions(args.options);
    if (args.seed !== undefined) this.npRandom.reseed(args.seed);
    this.world.restore(this.pristine);
    this.task.reset(this.npRandom, overrides);
    this.elapsedSteps = 0;
    this.needsReset = false;
    const obs = this.observe();
    return { obs, info: { is_success: this.task.isSuccess(obs.achieved_goal, obs.desired_goal) } };
  }

  step(action: ArrayLike<number>): StepResult<GoalObs> {
    this.checkStep(action);
    this.robot.setAction(action);
    this.world.step(this.options.substeps);
    this.elapsedSteps++;
    const obs = this.observe();
    const reward = this.task.computeReward(obs.achieved_goal, obs.desired_goal, this.task.goalDim)[0]!;
    const success = this.task.isSuccess(obs.achieved_goal, obs.desired_goal);
    return { obs, reward, terminated: this.options.terminateOnSuccess && success, truncated: false, info: { is_success: success } };
  }

  /** The task's reward; `goalDim` lets callers score other goal spaces of the same layout (HAC's subgoals). */
  computeReward(achieved: Float64Array, desired: Float64Array, _info?: Info, goalDim: number = this.task.goalDim): Float64Array {
    return this.task.computeReward(achieved, desired, goalDim);
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
    const state = {
      elapsedSteps: this.elapsedSteps,
      needsReset: this.needsReset,
      goal: Array.from(this.task.goal),
      rng: this.npRandom.state,
    };
    return packEnvSnapshot(this.id, state, this.world.snapshot());
  }

  restore(bytes: Uint8Array): void {
    this.assertOpen();
    const { state, world } = unpackEnvSnapshot(bytes, this.id, this.task.goalDim);
    this.npRandom.state = state.rng;
    this.world.restore(world);
    this.task.goal.set(state.goal);
    this.elapsedSteps = state.elapsedSteps;
    this.needsReset = state.needsReset;
  }

  scene(): SceneDescription {
    // dt: simulated seconds per env step, the rate at which frames are meant to play.
    return {
      env: this.id,
      up: "z",
      bodies: this.world.sceneBodiesDescription(),
      markers: this.task.markers(),
      dt: this.options.substeps * this.world.timestep,
    };
  }

  frame(): Frame {
    return this.world.frame(this.elapsedSteps, this.task.markerPositions());
  }

  toString(): string {
    return this.id;
  }

  /** The robot's observation, then the task's, as panda-gym concatenates them. */
  private observe(): GoalObs {
    const { robot, task } = this;
    const observation = new Float64Array(robot.observationSize + task.observationSize);
    robot.observation(observation, 0);
    task.observation(observation, robot.observationSize);
    const controllable_achieved_goal = new Float64Array(robot.controllableSpace.size);
    robot.controllableGoal(observation, controllable_achieved_goal);
    const achieved_goal = new Float64Array(task.goalDim);
    task.achievedGoal(controllable_achieved_goal, achieved_goal);
    const full_positional_state = new Float64Array(controllable_achieved_goal.length + task.objectPositionSpace.size);
    full_positional_state.set(controllable_achieved_goal);
    task.objectPositions(full_positional_state, controllable_achieved_goal.length);
    return { observation, achieved_goal, desired_goal: task.goal.slice(), controllable_achieved_goal, full_positional_state };
  }

  private assertOpen(): void {
    if (this.closed) throw new EnvError("CLOSED", `${this.id} is closed`);
  }

  /** Checks reset options before anything changes, so a bad option leaves the env as it was. */
  private parseResetOptions(options: Record<string, unknown> | undefined): object {
    if (options === undefined) return {};
    const parsed = this.task.resetOptions.safeParse(options ?? {});
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
function validateAction(action: ArrayLike<number>, size: number, id: string): void {
  if (action === null || typeof action !== "object" || typeof action.length !== "number") {
    throw new EnvError("BAD_ACTION", `${id}: action must be an array of ${size} numbers, got ${action === null ? "null" : typeof action}`);
  }
  if (action.length !== size) throw new EnvError("BAD_ACTION", `${id}: action must have length ${size}, got ${action.length}`);
  for (let i = 0; i < size; i++) {
    const v = action[i];
    if (typeof v !== "number" || !Number.isFinite(v))
      throw new EnvError("BAD_ACTION", `${id}: action[${i}] must be a finite number, got ${String(v)}`);
  }
}
