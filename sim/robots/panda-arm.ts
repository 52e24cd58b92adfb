/**
 * The Panda as a robot (sim/core/robot.ts), on the bodies sim/robots/panda-bodies.ts builds from
 * its description (kinematics/panda.ts), the fingers driven to one opening (the real hand's
 * mechanical coupling, the description's mimic joint). Rapier joints report no angles, so the arm
 * reads them from the bodies' relative rotations; and each revolute joint's frames are set so that
 * Rapier's own (hidden) angle equals that reading, which is what makes the motors' targets mean
 * the angles the env observes.
 *
 * Franka's controller compensates gravity; the arm's bodies have gravity scale 0 for the same
 * effect, so the motors track their targets instead of sagging. Objects feel full gravity.
 */
import { KinematicChain, linkFrames } from "../../kinematics/kinematics.js";
import { solveIk } from "../../kinematics/ik.js";
import { PANDA_GRIPPER, PANDA_LINKS, PANDA_NEUTRAL, pandaDescription } from "../../kinematics/panda.js";
import type { RobotDescription } from "../../kinematics/robot-description.js";
import { compose, fromXyzRpy, identity, invert, rotation, type Transform, type Vec3 } from "../../kinematics/transform.js";
import { Box } from "../core/spaces.js";
import type { Robot } from "../core/robot.js";
import type { PhysicsWorld } from "../physics/world.js";
import { POSITION_HIGH, POSITION_LOW } from "../scenes/table.js";
import { ARM_DRIVE, PandaBodies, colliderPose, type ArmJoint, type LinkBody } from "./panda-bodies.js";

export type ControlType = "ee" | "joints";

const ARM_CONTROL = {
  /** Metres of end-effector displacement per unit of action (ee control). */
  eeStep: 0.05,
  /** Radians of joint displacement per unit of action (joints control). */
  jointStep: 0.05,
  /** Metres of change in finger opening (both fingers together) per unit of action. */
  fingerStep: 0.2,
} as const;

/**
 * The ee target's lowest height: the fingertips reach 9 mm below the tool centre point, so at
 * 1 cm they skim the table top instead of being driven into it (panda-gym clips at z = 0,
 * where its fingertips end).
 */
const MIN_TOOL_HEIGHT = 0.01;

/**
 * IK stops within half a millimetre and 5 mrad of the target: finer than the arm tracks in one
 * step (the next step re-targets from where the tool is), and it keeps IK to a few iterations.
 */
const IK_OPTIONS = { rest: PANDA_NEUTRAL, maxIterations: 30, positionTolerance: 5e-4, orientationTolerance: 5e-3 };

/** panda-gym's ee orientation: the tool's z pointing down (a half turn about x). */
const DOWN = rotation([1, 0, 0], Math.PI);

export interface PandaArmConfig {
  /** Where the base stands in the world (panda-gym: (-0.6, 0, 0)). */
  base: Vec3;
  controlType: ControlType;
  /** The fingers stay closed and the action has no gripper entry (Reach, Push, Slide). */
  blockGripper: boolean;
  /**
   * Ramp the arm's joint targets over the step's substeps rather than setting them at once. At
   * once, the stiff joint drives cover the step's whole move in its first ~10 ms, the tool
   * reaching up to 7× its commanded speed, then rest: whatever the tool strikes leaves at the
   * spurt's speed (Slide's puck, 0.45–2.0× the commanded speed, not monotonic in it). Ramped, the
   * tool moves steadily (lagging the command: 0.94 of 1.5 cm a step at a = 0.3) and a struck puck
   * leaves at 0.96–1.02× the commanded speed.
   */
  smoothControl: boolean;
}

export class PandaArm implements Robot {
  readonly description: RobotDescription = pandaDescription();
  /** Base to tool centre point: what ee control and IK move. */
  readonly chain = new KinematicChain(this.description, PANDA_LINKS.base, PANDA_LINKS.tcp);
  /** The seven arm joints, base to flange. */
  private readonly joints: readonly ArmJoint[];
  private readonly fingers: readonly ArmJoint[];
  private readonly baseTransform: Transform;
  /** The hand body's frame to the tool centre point, constant. */
  private readonly handToTcp: Transform;
  private readonly q = new Float64Array(7);
  /** ee control's IK target, in the base frame: rewritten every step. */
  private readonly ikTarget = { position: new Float64Array(3), orientation: DOWN };
  private readonly scratch = { a: identity(), b: identity(), c: identity(), d: identity() };

  readonly actionSpace: Box;
  /** TCP position and velocity, plus the finger opening unless blocked. */
  readonly observationSize: number;
  /** TCP position and finger opening. */
  readonly controllableSpace = new Box([...POSITION_LOW, -0.01], [...POSITION_HIGH, 0.1]);

  /** Builds the arm in `world` at the neutral pose, its motors holding it there. */
  constructor(
    private readonly world: PhysicsWorld,
    readonly config: PandaArmConfig,
  ) {
    this.baseTransform = fromXyzRpy(config.base, [0, 0, 0]);
    const frames = linkFrames(this.description);
    const collider = this.description.links.find((l) => l.name === PANDA_LINKS.hand)!.collisions[0]!;
    this.handToTcp = compose(compose(invert(colliderPose(collider)), invert(frames.get(PANDA_LINKS.hand)!)), frames.get(PANDA_LINKS.tcp)!);
    this.actionSpace = new Box(-1, 1, [this.actionSize], "float64");
    this.observationSize = config.blockGripper ? 6 : 7;
    const built = new PandaBodies(world, this.description, this.baseTransform, this.buildOpening);
    this.joints = built.joints;
    this.fingers = built.fingers;
    this.holdBuildPose();
  }

  /** Action size: 3 or 7, plus 1 for the gripper unless it is blocked. */
  private get actionSize(): number {
    return (this.config.controlType === "ee" ? 3 : 7) + (this.config.blockGripper ? 0 : 1);
  }

  /** Sets the motor targets to hold the pose the arm was built in. */
  private holdBuildPose(): void {
    PANDA_NEUTRAL.forEach((v, i) => this.world.setMotorTarget(this.joints[i]!.desc.name, v));
    for (const f of this.fingers) this.world.setMotorTarget(f.desc.name, this.buildOpening);
  }

  /** Each finger's position at build: closed when blocked, else open. */
  private get buildOpening(): number {
    return this.config.blockGripper ? 0 : PANDA_GRIPPER.maxOpening;
  }

  /** The link frame of a body, in the world, into `out`. */
  private linkPose(b: LinkBody, out: Transform): Transform {
    const body = this.world.body(b.link);
    const t = body.translation();
    const r = body.rotation();
    const pose = this.scratch.c;
    quatToTransform(t, r, pose);
    return compose(pose, b.bodyToLink, out);
  }

  /**
   * The joint's position from its parent's link frame and its child's (`b`): its angle about z
   * (radians) or its slide along its axis (metres).
   */
  private jointPosition(j: ArmJoint, parent: Transform, b: Transform): number {
    const jointFrame = compose(parent, j.origin, this.scratch.d);
    // rel = jointFrameᵀ · child: a rotation about z by the angle, or a slide along the axis.
    if (j.desc.type === "prismatic") {
      // The slide: the child's offset from the joint frame, along the axis in the world (the
      // joint frame's rotation applied to the local axis).
      const ax = j.desc.axis;
      let s = 0;
      for (let i = 0; i < 3; i++)
        s +=
          (jointFrame[3 * i]! * ax[0] + jointFrame[3 * i + 1]! * ax[1] + jointFrame[3 * i + 2]! * ax[2]) * (b[9 + i]! - jointFrame[9 + i]!);
      return s;
    }
    // Entries (0,0), (1,0), (0,1), (1,1) of jointFrameᵀ·child.
    const r00 = jointFrame[0]! * b[0]! + jointFrame[3]! * b[3]! + jointFrame[6]! * b[6]!;
    const r10 = jointFrame[1]! * b[0]! + jointFrame[4]! * b[3]! + jointFrame[7]! * b[6]!;
    const r01 = jointFrame[0]! * b[1]! + jointFrame[3]! * b[4]! + jointFrame[6]! * b[7]!;
    const r11 = jointFrame[1]! * b[1]! + jointFrame[4]! * b[4]! + jointFrame[7]! * b[7]!;
    const angle = Math.atan2(r10 - r01, r00 + r11);
    const turns = Math.floor((angle - j.wrapFrom) / (2 * Math.PI));
    return angle - turns * 2 * Math.PI;
  }

  /**
   * The seven arm joint angles, read from the bodies. Each link's frame is read once, though it
   * is the child of one joint and the parent of the next: reading a body from Rapier is the dear
   * part.
   */
  jointPositions(out: Float64Array = new Float64Array(7)): Float64Array {
    let parent = this.linkPose(this.joints[0]!.parent, this.scratch.a);
    let spare = this.scratch.b;
    for (let i = 0; i < 7; i++) {
      const j = this.joints[i]!;
      if (i > 0 && j.parent !== this.joints[i - 1]!.child) parent = this.linkPose(j.parent, parent);
      const child = this.linkPose(j.child, spare);
      out[i] = this.jointPosition(j, parent, child);
      spare = parent;
      parent = child;
    }
    return out;
  }

  /** The distance between the fingers' inner faces (0 to 0.08 m); both fingers hang from the hand. */
  fingerWidth(): number {
    const [left, right] = [this.fingers[0]!, this.fingers[1]!];
    const hand = this.linkPose(left.parent, this.scratch.a);
    const leftSlide = this.jointPosition(left, hand, this.linkPose(left.child, this.scratch.b));
    if (right.parent !== left.parent) this.linkPose(right.parent, hand);
    return leftSlide + this.jointPosition(right, hand, this.linkPose(right.child, this.scratch.b));
  }

  /** The tool centre point (between the fingertips) in the world; returns the hand body's centre. */
  tcpPosition(out: Float64Array, offset: number): { x: number; y: number; z: number } {
    const body = this.world.body(PANDA_LINKS.hand);
    const centre = body.translation();
    const pose = quatToTransform(centre, body.rotation(), this.scratch.a);
    const tcp = compose(pose, this.handToTcp, this.scratch.b);
    out[offset] = tcp[9]!;
    out[offset + 1] = tcp[10]!;
    out[offset + 2] = tcp[11]!;
    return centre;
  }

  /** [tcp x, y, z, vx, vy, vz] and, with a gripper, the finger opening. */
  observation(out: Float64Array, offset: number): void {
    const c = this.tcpPosition(out, offset);
    const body = this.world.body(PANDA_LINKS.hand);
    const v = body.linvel();
    const w = body.angvel();
    // The velocity of the TCP point on the hand: v + ω × r.
    const rx = out[offset]! - c.x;
    const ry = out[offset + 1]! - c.y;
    const rz = out[offset + 2]! - c.z;
    out[offset + 3] = v.x + w.y * rz - w.z * ry;
    out[offset + 4] = v.y + w.z * rx - w.x * rz;
    out[offset + 5] = v.z + w.x * ry - w.y * rx;
    if (!this.config.blockGripper) out[offset + 6] = this.fingerWidth();
  }

  /** TCP x, y, z and the finger opening. */
  controllableGoal(observation: Float64Array, out: Float64Array): void {
    out[0] = observation[0]!;
    out[1] = observation[1]!;
    out[2] = observation[2]!;
    // The opening is in the observation when the gripper is not blocked; read it once either way.
    out[3] = this.config.blockGripper ? this.fingerWidth() : observation[6]!;
  }

  /**
   * Applies an action (already validated): ee control moves the TCP target by 0.05·a through IK
   * with the tool pointing down (the fingertips kept above the table top); joints control
   * moves each joint target by 0.05·a. The gripper entry changes the opening by 0.2·a.
   */
  setAction(action: ArrayLike<number>): void {
    const q = this.jointPositions(this.q);
    let target: Float64Array;
    if (this.config.controlType === "ee") {
      const goal = this.ikTarget.position;
      this.tcpPosition(goal, 0);
      // From where the tool is, as panda-gym: the target carries no memory between steps.
      const s = ARM_CONTROL.eeStep;
      const base = this.config.base;
      goal[0] = goal[0]! + s * clip(action[0]!) - base[0];
      goal[1] = goal[1]! + s * clip(action[1]!) - base[1];
      goal[2] = Math.max(MIN_TOOL_HEIGHT, goal[2]! + s * clip(action[2]!)) - base[2];
      target = solveIk(this.chain, this.ikTarget, q, IK_OPTIONS).q;
    } else {
      target = Float64Array.from(q, (v, i) => v + ARM_CONTROL.jointStep * clip(action[i]!));
    }
    for (let i = 0; i < 7; i++) {
      const j = this.joints[i]!;
      const m = 2 * ARM_DRIVE.limitMargin;
      const clamped = Math.min(j.upper - m, Math.max(j.lower + m, target[i]!));
      if (this.config.smoothControl) this.world.rampMotorTarget(j.desc.name, clamped);
      else this.world.setMotorTarget(j.desc.name, clamped);
    }
    const opening = this.config.blockGripper ? 0 : (this.fingerWidth() + ARM_CONTROL.fingerStep * clip(action[this.actionSize - 1]!)) / 2;
    for (const f of this.fingers) this.world.setMotorTarget(f.desc.name, Math.min(f.upper, Math.max(f.lower, opening)));
  }
}

function clip(v: number): number {
  return v < -1 ? -1 : v > 1 ? 1 : v;
}

function quatToTransform(
  p: { x: number; y: number; z: number },
  q: { x: number; y: number; z: number; w: number },
  out: Transform,
): Transform {
  const { x, y, z, w } = q;
  out[0] = 1 - 2 * (y * y + z * z);
  out[1] = 2 * (x * y - z * w);
  out[2] = 2 * (x * z + y * w);
  out[3] = 2 * (x * y + z * w);
  out[4] = 1 - 2 * (x * x + z * z);
  out[5] = 2 * (y * z - x * w);
  out[6] = 2 * (x * z - y * w);
  out[7] = 2 * (y * z + x * w);
  out[8] = 1 - 2 * (x * x + y * y);
  out[9] = p.x;
  out[10] = p.y;
  out[11] = p.z;
  return out;
}
