/**
 * The point mass of the post: a sphere of radius 0.2 and mass 1, dragged toward a position target
 * by a force-limited drive, as pybullet's fixed constraint with maxForce 10 did.
 *
 * Rapier's JS joints drive one axis each, so the drive is a chain of two prismatic joints with
 * force-based position motors: world anchor -x-> carriage (no collider) -y-> sphere. The chain
 * also holds the sphere's height and orientation, as the original constraint did. Stiffness and
 * damping were calibrated so that a held action (1, 0) moves the mass 0.0975 per env step in free
 * space, the figure measured on the original world (docs/original-code.md §1.3); test/sim/calibration
 * checks it.
 */
import { Box } from "../core/spaces.js";
import type { Robot } from "../core/robot.js";
import type { PhysicsWorld } from "../physics/world.js";
import { interactionGroups } from "../physics/world.js";
import { ARENA_BOUND, GROUP } from "../scenes/arena.js";

export const POINT_MASS = {
  radius: 0.2,
  mass: 1,
  /** Centre height when resting on the floor (floor top at z = -0.1). */
  z: 0.1,
  /** Metres of target displacement per unit of action. */
  actionScale: 0.1,
  /** The target is clipped to this box (ENVIRONMENT_BOUNDS). */
  bounds: 2.5,
  maxForce: 10,
  stiffness: 2000,
  damping: 83,
} as const;

export class PointMassRobot implements Robot {
  readonly actionSpace = new Box(-1, 1, [2], "float64");
  /** [x, y, vx, vy] */
  readonly observationSize = 4;
  readonly controllableSpace = new Box(-ARENA_BOUND, ARENA_BOUND, [2]);

  /** Builds the mass and its drive in `world`. */
  constructor(private readonly world: PhysicsWorld) {
    this.build();
  }

  private build(): void {
    const w = this.world;
    const z = POINT_MASS.z;
    w.addBody("anchor", { kind: "fixed", shape: { kind: "sphere", radius: 0.01 }, position: [0, 0, z], noCollider: true });
    w.addBody("carriage", { kind: "dynamic", shape: { kind: "sphere", radius: 0.01 }, position: [0, 0, z], noCollider: true, mass: 0.01 });
    w.addBody("agent", {
      kind: "dynamic",
      shape: { kind: "sphere", radius: POINT_MASS.radius },
      position: [0, 0, z],
      mass: POINT_MASS.mass,
      friction: 0.5,
      color: "#e76f51",
      collisionGroups: interactionGroups(GROUP.agent, GROUP.block | GROUP.wall),
    });
    const motor = { stiffness: POINT_MASS.stiffness, damping: POINT_MASS.damping, maxForce: POINT_MASS.maxForce };
    w.addPrismatic("drive_x", { parent: "anchor", child: "carriage", axis: [1, 0, 0], motor });
    w.addPrismatic("drive_y", { parent: "carriage", child: "agent", axis: [0, 1, 0], motor });
  }

  /** The action is a position delta from where the mass is now, clipped to the arena. */
  setAction(action: ArrayLike<number>): void {
    const p = this.world.body("agent").translation();
    const b = POINT_MASS.bounds;
    const s = POINT_MASS.actionScale;
    this.world.setMotorTarget("drive_x", clip(p.x + s * clip(action[0]!, -1, 1), -b, b));
    this.world.setMotorTarget("drive_y", clip(p.y + s * clip(action[1]!, -1, 1), -b, b));
  }

  /** Places the mass at rest at (x, y) with its drive holding it there. */
  place(x: number, y: number): void {
    this.world.teleport("carriage", [x, 0, POINT_MASS.z]);
    this.world.teleport("agent", [x, y, POINT_MASS.z]);
    this.world.setMotorTarget("drive_x", x);
    this.world.setMotorTarget("drive_y", y);
  }

  /** [x, y, vx, vy] */
  observation(out: Float64Array, offset: number): void {
    const body = this.world.body("agent");
    const p = body.translation();
    const v = body.linvel();
    out[offset] = p.x;
    out[offset + 1] = p.y;
    out[offset + 2] = v.x;
    out[offset + 3] = v.y;
  }

  /** The mass's x, y. */
  controllableGoal(observation: Float64Array, out: Float64Array): void {
    out[0] = observation[0]!;
    out[1] = observation[1]!;
  }
}

function clip(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
