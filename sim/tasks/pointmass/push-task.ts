/**
 * The pointMass tasks of the post (docs/original-code.md §1): move N blocks (0, 1 or 2) onto their goals;
 * with no block the point mass itself must reach the goal. Goal and start sampling follow §1.5.
 */
import { z } from "zod";
import { Box } from "../../core/spaces.js";
import type { Rng } from "../../core/rng.js";
import type { Task } from "../../core/task.js";
import type { PhysicsWorld } from "../../physics/world.js";
import { interactionGroups } from "../../physics/world.js";
import type { SceneMarker } from "../../physics/scene.js";
import { ARENA_BOUND, GROUP } from "../../scenes/arena.js";
import { goalReward, goalSuccess, type GoalRewardConfig, type GoalRewardKwargs } from "../goal-reward.js";

export const BLOCK = {
  halfExtent: 0.35,
  mass: 0.1,
  friction: 0.5,
  /** pybullet's default damping, which the original never changed. */
  damping: 0.04,
  /** Centre height when resting on the floor. */
  z: 0.25,
  /** Block starts are drawn from this square. */
  startLimit: 2,
} as const;

const COLORS = ["#2a9d8f", "#457b9d"];

/** Minimum distance between the goals of two blocks: a block's width plus a margin. */
const MIN_GOAL_SEPARATION = 1.0;

export interface PushTaskConfig {
  numBlocks: 0 | 1 | 2;
  /** Goals and mass starts are uniform in ±targetLimit (TARG_LIMIT). @defaultValue 1.3 with blocks, 2.0 without */
  targetLimit?: number | undefined;
  /** The maze: a fixed goal and a start in one corner (`pointMassEnvMaze`). */
  maze: boolean;
}

/** A tiny goal coordinate is pushed out to ±0.1, as the original's "crop" does. */
function sampleCoordinate(rng: Rng, limit: number): number {
  const v = rng.uniform(-limit, limit);
  return Math.abs(v) < 0.1 ? (v < 0 ? -0.1 : 0.1) : v;
}

function l1(ax: number, ay: number, bx: number, by: number): number {
  return Math.abs(ax - bx) + Math.abs(ay - by);
}

/** Reset options that fix what would otherwise be sampled (checked by the env before use). */
export interface ResetOverrides {
  goal?: number[];
  agentStart?: [number, number];
  blockStarts?: [number, number][];
}

/** Places the point mass at rest: what this task needs of the robot, since it draws the start. */
export type PlaceAgent = (x: number, y: number) => void;

export class PushTask implements Task<ResetOverrides> {
  readonly goal: Float64Array;
  readonly goalDim: number;
  readonly goalSpace: Box;
  readonly observationSize: number;
  readonly objectPositionSpace: Box;
  readonly resetOptions: z.ZodType<ResetOverrides>;
  private readonly reward: GoalRewardConfig;
  private readonly targetLimit: number;

  /** Builds the blocks in `world`, after the robot. */
  constructor(
    private readonly world: PhysicsWorld,
    readonly config: PushTaskConfig,
    reward: GoalRewardKwargs,
    private readonly placeAgent: PlaceAgent,
  ) {
    this.goalDim = 2 * Math.max(config.numBlocks, 1);
    this.goal = new Float64Array(this.goalDim);
    this.targetLimit = config.targetLimit ?? (config.numBlocks > 0 ? 1.3 : 2.0);
    this.goalSpace = new Box(-ARENA_BOUND, ARENA_BOUND, [this.goalDim]);
    this.observationSize = 4 * config.numBlocks;
    this.objectPositionSpace = new Box(-ARENA_BOUND, ARENA_BOUND, [2 * config.numBlocks]);
    this.reward = { ...reward, scoring: "pairs" };
    const xy = z.tuple([z.number().min(-ARENA_BOUND).max(ARENA_BOUND), z.number().min(-ARENA_BOUND).max(ARENA_BOUND)]);
    this.resetOptions = z
      .object({
        goal: z.array(z.number().min(-ARENA_BOUND).max(ARENA_BOUND)).length(this.goalDim).optional(),
        agentStart: xy.optional(),
        blockStarts: z.array(xy).length(config.numBlocks).optional(),
      })
      .strict();
    this.build();
  }

  private build(): void {
    for (let i = 0; i < this.config.numBlocks; i++) {
      const h = BLOCK.halfExtent;
      this.world.addBody(`block_${i}`, {
        kind: "dynamic",
        shape: { kind: "box", halfExtents: [h, h, h] },
        position: [0, 0, BLOCK.z],
        mass: BLOCK.mass,
        friction: BLOCK.friction,
        linearDamping: BLOCK.damping,
        angularDamping: BLOCK.damping,
        color: COLORS[i]!,
        collisionGroups: interactionGroups(GROUP.block, GROUP.floor | GROUP.agent | GROUP.wall | GROUP.block),
      });
    }
  }

  /**
   * Samples the goal, the mass start and the block starts, then applies any override (demo
   * replay, a goal dragged in the viewer) and places the mass. Overrides do not change what is
   * drawn from `rng`, so the generator stays in step with an unforced run.
   */
  reset(rng: Rng, overrides: ResetOverrides): void {
    const { maze, numBlocks } = this.config;
    const targetLimit = this.targetLimit;
    if (maze) {
      this.goal.set([-0.6, 1.5]);
    } else {
      for (let i = 0; i < this.goalDim; i += 2) {
        // Two goals closer than a block's width cannot both be met; the original drew them
        // independently, and we redraw the second until the pair is solvable with room to spare.
        do {
          this.goal[i] = sampleCoordinate(rng, targetLimit);
          this.goal[i + 1] = sampleCoordinate(rng, targetLimit);
        } while (i > 0 && Math.hypot(this.goal[i]! - this.goal[0]!, this.goal[i + 1]! - this.goal[1]!) < MIN_GOAL_SEPARATION);
      }
    }
    const start: [number, number] = maze
      ? [rng.uniform(-2, -1.5), rng.uniform(-2, -1.5)]
      : [sampleCoordinate(rng, targetLimit), sampleCoordinate(rng, targetLimit)];
    const placed: [number, number][] = [];
    for (let i = 0; i < numBlocks; i++) placed.push(this.sampleBlock(rng, i, start, placed));
    if (overrides.goal) this.goal.set(overrides.goal);
    (overrides.blockStarts ?? placed).forEach(([x, y], i) => this.world.teleport(`block_${i}`, [x, y, BLOCK.z]));
    const [x, y] = overrides.agentStart ?? start;
    this.placeAgent(x, y);
  }

  /**
   * Uniform in the start square, then jittered by ±0.5 per axis while it is within L1 distance 1
   * of its goal or of the mass (§1.5), or overlaps an earlier block; clipped to the square so that
   * it never starts inside a wall.
   */
  private sampleBlock(rng: Rng, i: number, mass: [number, number], placed: [number, number][]): [number, number] {
    const lim = BLOCK.startLimit;
    const gx = this.goal[2 * i]!;
    const gy = this.goal[2 * i + 1]!;
    let x = rng.uniform(-lim, lim);
    let y = rng.uniform(-lim, lim);
    const bad = () =>
      l1(x, y, gx, gy) < 1 ||
      l1(x, y, mass[0], mass[1]) < 1 ||
      placed.some(([px, py]) => Math.max(Math.abs(px - x), Math.abs(py - y)) < 2 * BLOCK.halfExtent + 0.05);
    for (let tries = 0; bad(); tries++) {
      if (tries % 100 === 99) {
        x = rng.uniform(-lim, lim);
        y = rng.uniform(-lim, lim);
        continue;
      }
      x = Math.min(lim, Math.max(-lim, x + rng.uniform(-0.5, 0.5)));
      y = Math.min(lim, Math.max(-lim, y + rng.uniform(-0.5, 0.5)));
    }
    return [x, y];
  }

  /** Per block [bx, by, bvx, bvy], written after the mass's four values. */
  observation(out: Float64Array, offset: number): void {
    for (let i = 0; i < this.config.numBlocks; i++) {
      const b = this.world.body(`block_${i}`);
      const p = b.translation();
      const v = b.linvel();
      out[offset + 4 * i] = p.x;
      out[offset + 4 * i + 1] = p.y;
      out[offset + 4 * i + 2] = v.x;
      out[offset + 4 * i + 3] = v.y;
    }
  }

  /** Block positions, or the mass's (`controlled`) when there is no block. */
  achievedGoal(controlled: Float64Array, out: Float64Array): void {
    if (this.config.numBlocks === 0) {
      out[0] = controlled[0]!;
      out[1] = controlled[1]!;
      return;
    }
    this.objectPositions(out, 0);
  }

  /** Per block x, y. */
  objectPositions(out: Float64Array, offset: number): void {
    for (let i = 0; i < this.config.numBlocks; i++) {
      const p = this.world.body(`block_${i}`).translation();
      out[offset + 2 * i] = p.x;
      out[offset + 2 * i + 1] = p.y;
    }
  }

  isSuccess(achieved: Float64Array, desired: Float64Array): boolean {
    return goalSuccess(achieved, desired, this.reward);
  }

  computeReward(achieved: Float64Array, desired: Float64Array, goalDim: number): Float64Array {
    return goalReward(achieved, desired, goalDim, this.reward);
  }

  markers(): SceneMarker[] {
    const n = Math.max(this.config.numBlocks, 1);
    return Array.from({ length: n }, (_, i) => ({
      name: `goal_${i}`,
      shape: { kind: "sphere" as const, radius: 0.2 },
      color: COLORS[i]!,
      opacity: 0.6,
    }));
  }

  markerPositions(): Record<string, [number, number, number]> {
    const out: Record<string, [number, number, number]> = {};
    for (let i = 0; i < this.goalDim / 2; i++) out[`goal_${i}`] = [this.goal[2 * i]!, this.goal[2 * i + 1]!, 0.1];
    return out;
  }
}
