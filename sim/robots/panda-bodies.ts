/**
 * The Panda's Rapier bodies and joints, built from its description (kinematics/panda.ts): one
 * dynamic body per link with a collider, revolute impulse joints with force-based position
 * motors capped at Franka's torques, a hand on a fixed joint and two prismatic fingers. Each
 * revolute joint's frames are set so that Rapier's own (hidden) angle equals the angle the arm
 * reads from the bodies (sim/robots/panda-arm.ts), which is what makes the motors' targets mean
 * the angles the env observes.
 */
import { linkFrames } from "../../kinematics/kinematics.js";
import { PANDA_FINGER_JOINTS, PANDA_LINKS, PANDA_NEUTRAL } from "../../kinematics/panda.js";
import type { Geometry, GeometryElement, JointDescription, RobotDescription } from "../../kinematics/robot-description.js";
import { compose, fromXyzRpy, invert, rotation, toQuat, type Transform, type Vec3 } from "../../kinematics/transform.js";
import { interactionGroups, type PhysicsWorld } from "../physics/world.js";
import type { Shape } from "../physics/scene.js";
import { PANDA_GROUP } from "../scenes/table.js";

/** Rapier turns a revolute joint about its frame's x axis: this maps x onto the joint's z. */
const X_TO_Z = rotation([0, 1, 0], -Math.PI / 2);

export const ARM_DRIVE = {
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

export interface LinkBody {
  link: string;
  /** The body's frame in the link's frame (the collider's pose), and its inverse. */
  linkToBody: Transform;
  bodyToLink: Transform;
}

export interface ArmJoint {
  desc: JointDescription;
  origin: Transform;
  parent: LinkBody;
  child: LinkBody;
  lower: number;
  upper: number;
  /** Angles are read in [wrapFrom, wrapFrom + 2π): centred on the gap the limits leave. */
  wrapFrom: number;
}

export class PandaBodies {
  private readonly bodies = new Map<string, LinkBody>();
  /** The seven arm joints, base to flange. */
  readonly joints: ArmJoint[] = [];
  readonly fingers: ArmJoint[] = [];

  /** Creates the bodies at the neutral pose, each finger `fingerPosition` from closed. */
  constructor(
    private readonly world: PhysicsWorld,
    private readonly robot: RobotDescription,
    private readonly baseTransform: Transform,
    fingerPosition: number,
  ) {
    const positions: Record<string, number> = Object.fromEntries(PANDA_NEUTRAL.map((v, i) => [`panda_joint${i + 1}`, v]));
    positions[PANDA_FINGER_JOINTS[0]] = fingerPosition;
    const frames = linkFrames(this.robot, positions);
    for (const link of this.robot.links) {
      if (link.collisions.length === 0) continue;
      if (link.collisions.length > 1)
        throw new Error(
          `${this.robot.name}: link "${link.name}" has ${link.collisions.length} collision shapes; the simulator builds one per link`,
        );
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
        friction: isFinger ? ARM_DRIVE.fingerFriction : 0.5,
        gravityScale: 0,
        // Asleep, a link would freeze a few milliradians short of its motor's target.
        canSleep: false,
        ...(isBase ? {} : { extraInertia: isFinger ? ARM_DRIVE.fingerArmature : ARM_DRIVE.armature }),
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
    for (let grew = true; grew;) {
      grew = false;
      for (const x of this.robot.joints) if (beyond.has(x.parent) && !beyond.has(x.child)) (beyond.add(x.child), (grew = true));
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
      this.world.addFixed(j.name, {
        parent: parentLink,
        child: j.child,
        frameParent: localFrame(inParent),
        frameChild: localFrame(inChild),
      });
      return;
    }
    checkJointKind(this.robot.name, j);
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
        motor: { stiffness: ARM_DRIVE.fingerStiffness, damping: ARM_DRIVE.fingerDamping, maxForce: limits.effort },
      });
      this.fingers.push(arm);
      return;
    }
    const inertia = this.inertiaAbout(j, jointInRoot);
    const w = ARM_DRIVE.naturalFrequency;
    this.world.addRevolute(j.name, {
      parent: parentLink,
      child: j.child,
      frameParent: localFrame(compose(inParent, X_TO_Z)),
      frameChild: localFrame(compose(inChild, X_TO_Z)),
      limits: [limits.lower + ARM_DRIVE.limitMargin, limits.upper - ARM_DRIVE.limitMargin],
      motor: { stiffness: inertia * w * w, damping: 2 * ARM_DRIVE.dampingRatio * inertia * w, maxForce: limits.effort },
    });
    this.joints.push(arm);
  }
}

/** The collider's pose in its link: URDF's capsules and cylinders run along z, Rapier's along y. */
export function colliderPose(e: GeometryElement): Transform {
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
  }
}

function localFrame(t: Transform): { anchor: Vec3; rotation: [number, number, number, number] } {
  return { anchor: [t[9]!, t[10]!, t[11]!], rotation: toQuat(t) };
}

/** The arm's frames are DH frames: each revolute joint turns about its z axis; fingers slide. */
function checkJointKind(robot: string, j: JointDescription): void {
  if (j.type === "prismatic" || (j.type === "revolute" && j.axis[0] === 0 && j.axis[1] === 0 && j.axis[2] === 1)) return;
  throw new Error(
    `${robot}: joint "${j.name}" is ${j.type} about ${j.axis.join(" ")}; the simulator builds revolute joints about z (DH frames) and prismatic ones`,
  );
}
