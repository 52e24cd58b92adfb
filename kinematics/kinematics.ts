/**
 * Forward kinematics and the geometric Jacobian of a serial chain cut out of a robot
 * description: pure functions of the joint positions, with no physics engine in sight, so that
 * tests can hold them to the DH table and IK can run them many times per env step.
 */
import { validateRobot, type JointDescription, type RobotDescription } from "./robot-description.js";
import { compose, fromXyzRpy, identity, rotation, translation, type Transform } from "./transform.js";

const IDENTITY = identity();

interface ChainJoint {
  desc: JointDescription;
  origin: Transform;
  /** Index into q, or -1 for a fixed joint. */
  index: number;
  /** A revolute (or continuous) joint about exactly +z, as every DH joint: FK's hot case. */
  aboutZ: boolean;
}

export class KinematicChain {
  /** The movable joints from base to tip, in q order. */
  readonly jointNames: string[];
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  private readonly chain: ChainJoint[];
  private readonly scratch = { motion: identity(), frame: identity(), next: identity() };
  /** Per movable joint: the joint frame in the base frame after the last fk call. */
  private readonly jointFrames: Transform[];

  /** The joints from `base` down to `tip`; mimic joints are not part of a chain. */
  constructor(
    readonly robot: RobotDescription,
    readonly base: string,
    readonly tip: string,
  ) {
    validateRobot(robot);
    const path: JointDescription[] = [];
    for (let at = tip; at !== base;) {
      const j = robot.joints.find((x) => x.child === at);
      if (!j) throw new Error(`${robot.name}: link "${tip}" does not descend from "${base}"`);
      path.unshift(j);
      at = j.parent;
    }
    let n = 0;
    this.chain = path.map((desc) => {
      if (desc.mimic) throw new Error(`${robot.name}: joint "${desc.name}" mimics another and cannot be in a kinematic chain`);
      const aboutZ =
        (desc.type === "revolute" || desc.type === "continuous") && desc.axis[0] === 0 && desc.axis[1] === 0 && desc.axis[2] === 1;
      return { desc, origin: fromXyzRpy(desc.origin.xyz, desc.origin.rpy), index: desc.type === "fixed" ? -1 : n++, aboutZ };
    });
    const movable = this.chain.filter((c) => c.index >= 0).map((c) => c.desc);
    this.jointNames = movable.map((d) => d.name);
    this.lower = Float64Array.from(movable, (d) => (d.type === "continuous" ? -Infinity : d.limits!.lower));
    this.upper = Float64Array.from(movable, (d) => (d.type === "continuous" ? Infinity : d.limits!.upper));
    this.jointFrames = movable.map(() => identity());
  }

  get dof(): number {
    return this.jointNames.length;
  }

  /** The tip frame in the base frame at joint positions `q`. */
  fk(q: ArrayLike<number>, out: Transform = identity()): Transform {
    if (q.length !== this.dof)
      throw new RangeError(`${this.robot.name} ${this.base}->${this.tip}: q must have ${this.dof} values, got ${q.length}`);
    const { motion } = this.scratch;
    // The running frame and a spare swap roles instead of being copied; a movable joint's
    // frame is composed straight into its slot of jointFrames.
    let frame = this.scratch.frame;
    let spare = this.scratch.next;
    frame.set(IDENTITY);
    for (const c of this.chain) {
      const jointFrame = c.index < 0 ? spare : this.jointFrames[c.index]!;
      compose(frame, c.origin, jointFrame);
      if (c.index < 0) {
        [frame, spare] = [jointFrame, frame];
        continue;
      }
      const qi = q[c.index]!;
      if (c.aboutZ) {
        composeTurnZ(jointFrame, qi, frame);
        continue;
      }
      if (c.desc.type === "prismatic") translation([c.desc.axis[0] * qi, c.desc.axis[1] * qi, c.desc.axis[2] * qi], motion);
      else rotation(c.desc.axis, qi, motion);
      compose(jointFrame, motion, frame);
    }
    out.set(frame);
    return out;
  }

  /**
   * The geometric Jacobian of the tip at `q`: 6 rows (linear velocity, then angular velocity, in
   * the base frame) by dof columns, row-major into `out`. Also returns the tip frame.
   */
  jacobian(q: ArrayLike<number>, out: Float64Array = new Float64Array(6 * this.dof), tipOut: Transform = identity()): Transform {
    const tip = this.fk(q, tipOut);
    const n = this.dof;
    for (const c of this.chain) {
      if (c.index < 0) continue;
      const f = this.jointFrames[c.index]!;
      const a = c.desc.axis;
      // The joint axis in the base frame: the joint frame's rotation applied to the local axis
      // (about z: its third column, which the products below give exactly).
      const zx = c.aboutZ ? f[2]! : f[0]! * a[0] + f[1]! * a[1] + f[2]! * a[2];
      const zy = c.aboutZ ? f[5]! : f[3]! * a[0] + f[4]! * a[1] + f[5]! * a[2];
      const zz = c.aboutZ ? f[8]! : f[6]! * a[0] + f[7]! * a[1] + f[8]! * a[2];
      const k = c.index;
      if (c.desc.type === "prismatic") {
        out[k] = zx;
        out[n + k] = zy;
        out[2 * n + k] = zz;
        out[3 * n + k] = out[4 * n + k] = out[5 * n + k] = 0;
        continue;
      }
      const rx = tip[9]! - f[9]!;
      const ry = tip[10]! - f[10]!;
      const rz = tip[11]! - f[11]!;
      out[k] = zy * rz - zz * ry;
      out[n + k] = zz * rx - zx * rz;
      out[2 * n + k] = zx * ry - zy * rx;
      out[3 * n + k] = zx;
      out[4 * n + k] = zy;
      out[5 * n + k] = zz;
    }
    return tip;
  }
}

/**
 * out = a · Rz(q), with the zeros of Rz(q) left out: the numbers of
 * `compose(a, rotation([0, 0, 1], q))` (up to the sign of a zero) for less than half the work.
 * Rz's last diagonal entry is rotation()'s c + (1 - c), which is not always exactly 1.
 */
function composeTurnZ(a: Transform, q: number, out: Transform): void {
  const c = Math.cos(q);
  const s = Math.sin(q);
  const zz = c + (1 - c);
  for (let i = 0; i < 3; i++) {
    const a0 = a[3 * i]!;
    const a1 = a[3 * i + 1]!;
    out[3 * i] = a0 * c + a1 * s;
    out[3 * i + 1] = a0 * -s + a1 * c;
    out[3 * i + 2] = a[3 * i + 2]! * zz;
    out[9 + i] = a[9 + i]!;
  }
}

/**
 * Every link's frame in the root frame, for joint positions given by name (missing ones are 0;
 * a mimic joint follows its leader). What a simulator needs to place the bodies of a robot.
 */
export function linkFrames(robot: RobotDescription, positions: Readonly<Record<string, number>> = {}): Map<string, Transform> {
  const root = validateRobot(robot);
  const frames = new Map<string, Transform>([[root, identity()]]);
  const value = (j: JointDescription): number => {
    if (j.mimic) return j.mimic.multiplier * (positions[j.mimic.joint] ?? 0) + j.mimic.offset;
    return positions[j.name] ?? 0;
  };
  // Joints may be listed in any order: sweep until every child is placed (a tree: at most depth sweeps).
  for (let placed = true; placed;) {
    placed = false;
    for (const j of robot.joints) {
      const parent = frames.get(j.parent);
      if (!parent || frames.has(j.child)) continue;
      const q = value(j);
      const motion = j.type === "prismatic" ? translation(j.axis.map((a) => a * q)) : j.type === "fixed" ? identity() : rotation(j.axis, q);
      frames.set(j.child, compose(compose(parent, fromXyzRpy(j.origin.xyz, j.origin.rpy)), motion));
      placed = true;
    }
  }
  return frames;
}
