/**
 * The Panda in Rapier, built from its description (robots/panda.ts): one dynamic body per link
 * with a collider, revolute impulse joints with force-based position motors capped at
 * Franka's torques, a hand on a fixed joint and two prismatic fingers driven to one opening (the
 * real hand's mechanical coupling, the description's mimic joint). Rapier joints report no
 * angles, so the arm reads them from the bodies' relative rotations; and each revolute joint's
 * frames are set so that Rapier's own (hidden) angle equals that reading, which is what makes
 * the motors' targets mean the angles the env observes.
 *
 * Franka's controller compensates gravity; the arm's bodies have gravity scale 0 for the same
 * effect, so the motors track their targets instead of sagging. Objects feel full gravity.
 */
import { KinematicChain, linkFrames } from "../../kinematics/kinematics.js";
import { solveIk } from "../../kinematics/ik.js";
import { PANDA_FINGER_JOINTS, PANDA_GRIPPER, PANDA_LINKS, PANDA_NEUTRAL, pandaDescription } from "../../kinematics/panda.js";
import type { Geometry, GeometryElement, JointDescription, RobotDescription } from "../../kinematics/robot-description.js";
import { compose, fromXyzRpy, identity, invert, rotation, toQuat, type Transform, type Vec3 } from "../../kinematics/transform.js";
import { Box } from "../core/spaces.js";
import type { Robot } from "../core/robot.js";
import { interactionGroups, type PhysicsWorld } from "../physics/world.js";
import type { Shape } from "../physics/scene.js";
import { PANDA_GROUP, POSITION_HIGH, POSITION_LOW } from "../scenes/table.js";

export type ControlType = "ee" | "joints";

export const ARM_CONTROL = {
  /** Metres of end-effector displacement per unit of action (ee control). */
  eeStep: 0.05,
  /** Radians of joint displacement per unit of action (joints control). */
  jointStep: 0.05,
  /** Metres of change in finger opening (both fingers together) per unit of action. */
  fingerStep: 0.2,
  /**
   * Arm motors: force-based, with each joint's gains set from the inertia it carries at the
   * neutral pose so that every joint responds at this natural frequency, critically damped.
   * (Rapier's acceleration-based model scales by the two joined bodies only, which in a chain
   * leaves the shoulder underdamped and the wrist sluggish.)
   */
  naturalFrequency: 80,
  dampingRatio: 1,
  /**
   * kg·m² added to every moving arm link: the rotor inertia that a real joint's gearbox
   * reflects (MuJoCo Menagerie's Panda models it as 0.1 armature). Without it a 0.65 kg link 2
   * sits between 5 kg and 3 kg links, and Rapier's iterative solver, which moves a chain of
   * impulse joints one pair of bodies at a time, lets the shoulder lag and overshoot.
   */
  armature: 0.05,
  /** Finger motors, force-based: 40 N on a cube 2 cm inside the commanded opening. */
  fingerStiffness: 2000,
  fingerDamping: 10,
  /**
   * kg·m² added to each finger, the drive's reflected inertia as the armature above. A bare
   * 15 g finger turns so easily on its prismatic joint that a squeezed cube twists it aside
   * and slips out.
   */
  fingerArmature: 0.001,
  /** Finger pads grip: friction 1.5 (rubber on the cube's 1, averaged by Rapier). */
  fingerFriction: 1.5,
  /**
   * The simulated stops sit this far inside Franka's limits (Rapier's limits are soft and a
   * joint driven into one overshoots it by a milliradian or two), and motor targets twice as far
   * in, so no motor leans on a stop.
   */
  limitMargin: 0.01,
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
/** Rapier turns a revolute joint about its frame's x axis: this maps x onto the joint's z. */
const X_TO_Z = rotation([0, 1, 0], -Math.PI / 2);

interface LinkBody {
  link: string;
  /** The body's frame in the link's frame (the collider's pose), and its inverse. */
  linkToBody: Transform;
  bodyToLink: Transform;
}

interface ArmJoint {
  desc: JointDescription;
  origin: Transform;
  parent: LinkBody;
  child: LinkBody;
  lower: number;
  upper: number;
  /** Angles are read in [wrapFrom, wrapFrom + 2π): centred on the gap the limits leave. */
  wrapFrom: number;
}

export interface PandaArmConfig {
  /** Where the base stands in the world (panda-gym: (-0.6, 0, 0)). */
  base: Vec3;
  controlType: ControlType;
  /** The fingers stay closed and the action has no gripper entry (Reach, Push, Slide). */
  blockGripper: boolean;
}

export class PandaArm implements Robot {
  readonly robot: RobotDescription = pandaDescription();
  /** Base to tool centre point: what ee control and IK move. */
  readonly chain = new KinematicChain(this.robot, PANDA_LINKS.base, PANDA_LINKS.tcp);
  private readonly bodies = new Map<string, LinkBody>();
  private readonly joints: ArmJoint[] = [];
  private readonly fingers: ArmJoint[] = [];
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
    const frames = linkFrames(this.robot);
    const collider = this.robot.links.find((l) => l.name === PANDA_LINKS.hand)!.collisions[0]!;
    this.handToTcp = compose(compose(invert(colliderPose(collider)), invert(frames.get(PANDA_LINKS.hand)!)), frames.get(PANDA_LINKS.tcp)!);
    this.actionSpace = new Box(-1, 1, [this.actionSize], "float64");
    this.observationSize = config.blockGripper ? 6 : 7;
    this.build();
    this.holdBuildPose();
  }

  /** Action size: 3 or 7, plus 1 for the gripper unless it is blocked. */
  private get actionSize(): number {
    return (this.config.controlType === "ee" ? 3 : 7) + (this.config.blockGripper ? 0 : 1);
  }

  /** Creates the bodies at the neutral pose, fingers closed when blocked, else open. */
  private build(): void {
    const positions: Record<string, number> = Object.fromEntries(PANDA_NEUTRAL.map((v, i) => [`panda_joint${i + 1}`, v]));
    positions[PANDA_FINGER_JOINTS[0]] = this.buildOpening;
    const frames = linkFrames(this.robot, positions);
    for (const link of this.robot.links) {
      if (link.collisions.length === 0) continue;
      if (link.collisions.length > 1) throw new Error(`${this.robot.name}: link "${link.name}" has ${link.collisions.length} collision shapes; the simulator builds one per link`);
      const element = link.collisions[0]!;
      const linkToBody = colliderPose(element);
      const pose = compose(compose(this.baseTransform, frames.get(link.name)!), linkToBody);
      const isBase = link.name === PANDA_LINKS.base;
      const isFinger = link.name === PANDA_LINKS.leftFinger || link.name === PANDA_LINKS.rightFinger;
      this.world.addBody(link.name, {
        kind: isBase ? "fixed" : "dynamic",
        shape: sceneShape(element.geometry),
        position: [pose[9]!, pose[10]!, pose[11]!],
        rotation: toQuat(pose),
        ...(link.inertial ? { mass: link.inertial.mass } : {}),
        friction: isFinger ? ARM_CONTROL.fingerFriction : 0.5,
        gravityScale: 0,
        // Asleep, a link would freeze a few milliradians short of its motor's target.
        canSleep: false,
        ...(isBase ? {} : { extraInertia: isFinger ? ARM_CONTROL.fingerArmature : ARM_CONTROL.armature }),
        color: isFinger ? "#3d3d3d" : link.name === PANDA_LINKS.hand ? "#d9d9d9" : "#f1f1f1",
        collisionGroups: isFinger
          ? interactionGroups(PANDA_GROUP.finger, PANDA_GROUP.object | PANDA_GROUP.table)
          : interactionGroups(PANDA_GROUP.arm, PANDA_GROUP.object),
      });
      this.bodies.set(link.name, { link: link.name, linkToBody, bodyToLink: invert(linkToBody) });
    }
    for (const j of this.robot.joints) this.buildJoint(j, frames);
  }

  /**
   * The moment of inertia about a joint's axis of every body beyond it, at the build pose:
   * each body's mass times its squared distance from the axis, plus its own inertia (Rapier's,
   * from its collider, mass and armature).
   */
  private inertiaAbout(j: JointDescription, jointInRoot: Transform): number {
    const world = compose(this.baseTransform, jointInRoot);
    const axis = [world[2]!, world[5]!, world[8]!];
    const beyond = new Set<string>([j.child]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const x of this.robot.joints) if (beyond.has(x.parent) && !beyond.has(x.child)) beyond.add(x.child), (grew = true);
    }
    let total = 0;
    for (const name of beyond) {
      if (!this.bodies.has(name)) continue;
      const body = this.world.body(name);
      const c = body.translation();
      const r = [c.x - world[9]!, c.y - world[10]!, c.z - world[11]!];
      const along = r[0]! * axis[0]! + r[1]! * axis[1]! + r[2]! * axis[2]!;
      const perp2 = r[0]! ** 2 + r[1]! ** 2 + r[2]! ** 2 - along * along;
      // A body's own inertia about the axis is at most its largest principal one: a safe bound.
      const own = body.principalInertia();
      total += body.mass() * perp2 + Math.max(own.x, own.y, own.z);
    }
    return total;
  }

  /**
   * A joint between the nearest ancestors that have bodies: links with no collider (the flange,
   * the tool centre point) are folded into the fixed transform between their neighbours.
   */
  private buildJoint(j: JointDescription, frames: Map<string, Transform>): void {
    const child = this.bodies.get(j.child);
    if (!child) return;
    let parentLink = j.parent;
    while (!this.bodies.has(parentLink)) parentLink = this.robot.joints.find((x) => x.child === parentLink)!.parent;
    const parent = this.bodies.get(parentLink)!;
    // The joint frame (at zero motion) in the parent body's frame, and in the child body's frame.
    const jointInRoot = compose(frames.get(j.parent)!, fromXyzRpy(j.origin.xyz, j.origin.rpy));
    const jointInParentLink = compose(invert(frames.get(parentLink)!), jointInRoot);
    const inParent = compose(parent.bodyToLink, jointInParentLink);
    const inChild = child.bodyToLink;
    if (j.type === "fixed") {
      this.world.addFixed(j.name, { parent: parentLink, child: j.child, frameParent: localFrame(inParent), frameChild: localFrame(inChild) });
      return;
    }
    if (j.type !== "prismatic" && (j.type !== "revolute" || j.axis[0] !== 0 || j.axis[1] !== 0 || j.axis[2] !== 1)) {
      throw new Error(`${this.robot.name}: joint "${j.name}" is ${j.type} about ${j.axis.join(" ")}; the simulator builds revolute joints about z (DH frames) and prismatic ones`);
    }
    const limits = j.limits!;
    const arm: ArmJoint = {
      desc: j,
      origin: jointInParentLink,
      parent,
      child,
      lower: limits.lower,
      upper: limits.upper,
      wrapFrom: limits.lower - (2 * Math.PI - (limits.upper - limits.lower)) / 2,
    };
    if (j.type === "prismatic") {
      // The finger slides along its axis; its frame in the hand is the joint origin.
      this.world.addPrismatic(j.name, {
        parent: parentLink,
        child: j.child,
        axis: j.axis,
        anchorParent: [inParent[9]!, inParent[10]!, inParent[11]!],
        anchorChild: [inChild[9]!, inChild[10]!, inChild[11]!],
        limits: [limits.lower, limits.upper],
        motor: { stiffness: ARM_CONTROL.fingerStiffness, damping: ARM_CONTROL.fingerDamping, maxForce: limits.effort },
      });
      this.fingers.push(arm);
      return;
    }
    const inertia = this.inertiaAbout(j, jointInRoot);
    const w = ARM_CONTROL.naturalFrequency;
    this.world.addRevolute(j.name, {
      parent: parentLink,
      child: j.child,
      frameParent: localFrame(compose(inParent, X_TO_Z)),
      frameChild: localFrame(compose(inChild, X_TO_Z)),
      limits: [limits.lower + ARM_CONTROL.limitMargin, limits.upper - ARM_CONTROL.limitMargin],
      motor: { stiffness: inertia * w * w, damping: 2 * ARM_CONTROL.dampingRatio * inertia * w, maxForce: limits.effort },
    });
    this.joints.push(arm);
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
      for (let i = 0; i < 3; i++) s += (jointFrame[3 * i]! * ax[0] + jointFrame[3 * i + 1]! * ax[1] + jointFrame[3 * i + 2]! * ax[2]) * (b[9 + i]! - jointFrame[9 + i]!);
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
      const m = 2 * ARM_CONTROL.limitMargin;
      this.world.setMotorTarget(j.desc.name, Math.min(j.upper - m, Math.max(j.lower + m, target[i]!)));
    }
    const opening = this.config.blockGripper ? 0 : (this.fingerWidth() + ARM_CONTROL.fingerStep * clip(action[this.actionSize - 1]!)) / 2;
    for (const f of this.fingers) this.world.setMotorTarget(f.desc.name, Math.min(f.upper, Math.max(f.lower, opening)));
  }
}

function clip(v: number): number {
  return v < -1 ? -1 : v > 1 ? 1 : v;
}

/** The collider's pose in its link: URDF's capsules and cylinders run along z, Rapier's along y. */
function colliderPose(e: GeometryElement): Transform {
  const origin = fromXyzRpy(e.origin.xyz, e.origin.rpy);
  return e.geometry.kind === "capsule" || e.geometry.kind === "cylinder" ? compose(origin, rotation([1, 0, 0], Math.PI / 2)) : origin;
}

function sceneShape(g: Geometry): Shape {
  switch (g.kind) {
    case "box":
      return { kind: "box", halfExtents: [g.size[0] / 2, g.size[1] / 2, g.size[2] / 2] };
    case "capsule":
      return { kind: "capsule", halfHeight: g.length / 2, radius: g.radius };
    case "cylinder":
      return { kind: "cylinder", halfHeight: g.length / 2, radius: g.radius };
    case "sphere":
      return { kind: "sphere", radius: g.radius };
    case "mesh":
      throw new Error(`a mesh (${g.filename}) cannot be simulated: give the link primitive collision shapes`);
  }
}

function localFrame(t: Transform): { anchor: Vec3; rotation: [number, number, number, number] } {
  return { anchor: [t[9]!, t[10]!, t[11]!], rotation: toQuat(t) };
}

function quatToTransform(p: { x: number; y: number; z: number }, q: { x: number; y: number; z: number; w: number }, out: Transform): Transform {
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
