/**
 * The one facade over Rapier. Bodies and joints are addressed by name, so that envs never hold
 * Rapier handles: `World.restoreSnapshot` returns a new world, and the facade re-resolves every
 * name against it.
 */
import { RAPIER } from "./rapier.js";
import type { BodyKind, Frame, SceneBody, Shape } from "./scene.js";

type Vec3 = [number, number, number];
type Quat = [number, number, number, number];

export interface BodyOptions {
  kind: BodyKind;
  shape: Shape;
  position: Vec3;
  rotation?: Quat;
  /** kg; sets the collider's mass (density derived). Ignored for fixed bodies. */
  mass?: number;
  friction?: number;
  /**
   * How this collider's friction meets another's: Rapier averages the two unless one of them asks
   * for the product, which is what Bullet (and so panda-gym) always does. @defaultValue "average"
   */
  frictionCombine?: "average" | "multiply";
  restitution?: number;
  linearDamping?: number;
  angularDamping?: number;
  color?: string;
  /** Rapier interaction groups (16-bit membership << 16 | 16-bit filter); default: all. */
  collisionGroups?: number;
  /** A body with no collider: a massless-looking carriage for joint chains. */
  noCollider?: boolean;
  lockRotations?: boolean;
  /** Multiplies gravity on this body: 0 for an arm whose controller compensates gravity. */
  gravityScale?: number;
  /** kg·m² added about every axis through the centre of mass, on top of the collider's. */
  extraInertia?: number;
  /** false keeps the body awake: Rapier would put a slowly settling motor-driven link to sleep. */
  canSleep?: boolean;
}

/** A joint's frame on one body: anchor point and orientation in the body's local frame. */
export interface LocalFrame {
  anchor: Vec3;
  rotation: Quat;
}

/**
 * A force-based position motor: stiffness and damping in N/m and N·s/m (N·m/rad and N·m·s/rad
 * for a revolute joint).
 */
export interface MotorOptions {
  stiffness: number;
  damping: number;
  /** Newtons (or N·m for a revolute joint): the motor's impulse is capped at this times dt. */
  maxForce: number;
}

export interface RevoluteOptions {
  parent: string;
  child: string;
  /**
   * The joint frame on each body; the joint turns about the frames' x axis, and its angle is
   * zero when the two frames coincide. Setting both frames (rather than one axis) is what makes
   * Rapier's angle, which it never reports, equal the angle the env reads from the bodies.
   */
  frameParent: LocalFrame;
  frameChild: LocalFrame;
  limits?: [number, number];
  motor?: MotorOptions;
}

export interface FixedOptions {
  parent: string;
  child: string;
  frameParent: LocalFrame;
  frameChild: LocalFrame;
}

export interface PrismaticOptions {
  parent: string;
  child: string;
  /** Joint axis in the parent's frame (the same axis in the child's frame). */
  axis: Vec3;
  anchorParent?: Vec3;
  anchorChild?: Vec3;
  /** Position motor: force-based, capped at `maxForce` newtons. */
  motor?: MotorOptions;
  limits?: [number, number];
}

interface JointRecord {
  name: string;
  handle: number;
  motor?: MotorOptions;
  /** The motor's target as last set (Rapier keeps it too, but cannot report it). */
  target?: number;
}

/** Where a snapshot's motor targets begin, before Rapier's own bytes ("RGMT"). */
const TARGETS_MAGIC = 0x544d4752;

export class PhysicsWorld {
  private world: RAPIER.World;
  private readonly bodyHandles = new Map<string, number>();
  private bodies = new Map<string, RAPIER.RigidBody>();
  private readonly joints = new Map<string, JointRecord>();
  /** Motor targets to ramp toward over the next `step` call's substeps, from where each stands. */
  private ramps = new Map<string, number>();
  private readonly sceneBodies: SceneBody[] = [];
  /** Non-fixed bodies, in scene order: the order of frame poses. */
  private moving: RAPIER.RigidBody[] = [];
  private freed = false;

  constructor(
    readonly gravity: Vec3 = [0, 0, -9.81],
    readonly timestep: number = 1 / 240,
    /**
     * Hz of Rapier's soft contacts (its default is 30). A contact's stiffness scales with the
     * mass it holds, so a 15 g finger squeezing a cube needs a stiffer contact than the default
     * or it sinks into it.
     */
    readonly contactNaturalFrequency?: number,
  ) {
    this.world = new RAPIER.World({ x: gravity[0], y: gravity[1], z: gravity[2] });
    this.applyParameters();
  }

  /** The solver parameters are the facade's, set again on every world restored from bytes. */
  private applyParameters(): void {
    this.world.timestep = this.timestep;
    if (this.contactNaturalFrequency !== undefined)
      this.world.integrationParameters.contact_natural_frequency = this.contactNaturalFrequency;
  }

  addBody(name: string, o: BodyOptions): RAPIER.RigidBody {
    if (this.bodyHandles.has(name)) throw new Error(`body "${name}" already exists`);
    const rotation = o.rotation ?? [0, 0, 0, 1];
    const desc =
      o.kind === "fixed"
        ? RAPIER.RigidBodyDesc.fixed()
        : o.kind === "kinematic"
          ? RAPIER.RigidBodyDesc.kinematicPositionBased()
          : RAPIER.RigidBodyDesc.dynamic();
    desc.setTranslation(...o.position).setRotation({ x: rotation[0], y: rotation[1], z: rotation[2], w: rotation[3] });
    if (o.linearDamping !== undefined) desc.setLinearDamping(o.linearDamping);
    if (o.angularDamping !== undefined) desc.setAngularDamping(o.angularDamping);
    if (o.lockRotations) desc.lockRotations();
    if (o.noCollider && o.mass !== undefined) desc.setAdditionalMass(o.mass);
    if (o.gravityScale !== undefined) desc.setGravityScale(o.gravityScale);
    if (o.canSleep !== undefined) desc.setCanSleep(o.canSleep);
    if (o.extraInertia !== undefined) {
      const i = o.extraInertia;
      desc.setAdditionalMassProperties(0, { x: 0, y: 0, z: 0 }, { x: i, y: i, z: i }, { x: 0, y: 0, z: 0, w: 1 });
    }
    const body = this.world.createRigidBody(desc);
    if (!o.noCollider) {
      const cd = colliderDesc(o.shape);
      if (o.mass !== undefined && o.kind !== "fixed") cd.setMass(o.mass);
      cd.setFriction(o.friction ?? 0.5).setRestitution(o.restitution ?? 0);
      if (o.frictionCombine === "multiply") cd.setFrictionCombineRule(RAPIER.CoefficientCombineRule.Multiply);
      if (o.collisionGroups !== undefined) cd.setCollisionGroups(o.collisionGroups);
      this.world.createCollider(cd, body);
    }
    this.bodyHandles.set(name, body.handle);
    this.bodies.set(name, body);
    if (!o.noCollider) {
      this.sceneBodies.push({
        name,
        kind: o.kind,
        shape: o.shape,
        color: o.color ?? "#888888",
        position: [...o.position],
        rotation: [...rotation],
      });
      if (o.kind !== "fixed") this.moving.push(body);
    }
    return body;
  }

  addPrismatic(name: string, o: PrismaticOptions): void {
    const axis = { x: o.axis[0], y: o.axis[1], z: o.axis[2] };
    const a1 = o.anchorParent ?? [0, 0, 0];
    const a2 = o.anchorChild ?? [0, 0, 0];
    const data = RAPIER.JointData.prismatic({ x: a1[0], y: a1[1], z: a1[2] }, { x: a2[0], y: a2[1], z: a2[2] }, axis);
    const joint = this.createJoint(name, data, o.parent, o.child) as RAPIER.PrismaticImpulseJoint;
    this.configureUnitJoint(name, joint, o.limits, o.motor);
  }

  addRevolute(name: string, o: RevoluteOptions): void {
    const data = RAPIER.JointData.revolute(vec(o.frameParent.anchor), vec(o.frameChild.anchor), { x: 1, y: 0, z: 0 });
    const joint = this.createJoint(name, data, o.parent, o.child) as RAPIER.RevoluteImpulseJoint;
    joint.setLocalFrame1(vec(o.frameParent.anchor), quat(o.frameParent.rotation));
    joint.setLocalFrame2(vec(o.frameChild.anchor), quat(o.frameChild.rotation));
    this.configureUnitJoint(name, joint, o.limits, o.motor);
  }

  addFixed(name: string, o: FixedOptions): void {
    const data = RAPIER.JointData.fixed(
      vec(o.frameParent.anchor),
      quat(o.frameParent.rotation),
      vec(o.frameChild.anchor),
      quat(o.frameChild.rotation),
    );
    const joint = this.createJoint(name, data, o.parent, o.child);
    this.joints.set(name, { name, handle: joint.handle });
  }

  private createJoint(name: string, data: RAPIER.JointData, parent: string, child: string): RAPIER.ImpulseJoint {
    if (this.joints.has(name)) throw new Error(`joint "${name}" already exists`);
    return this.world.createImpulseJoint(data, this.body(parent), this.body(child), true);
  }

  private configureUnitJoint(
    name: string,
    joint: RAPIER.UnitImpulseJoint,
    limits: [number, number] | undefined,
    motor: MotorOptions | undefined,
  ): void {
    if (limits) joint.setLimits(limits[0], limits[1]);
    if (motor) {
      joint.configureMotorModel(RAPIER.MotorModel.ForceBased);
      joint.setMotorMaxForce(motor.maxForce);
      joint.configureMotorPosition(0, motor.stiffness, motor.damping);
    }
    this.joints.set(name, { name, handle: joint.handle, ...(motor ? { motor, target: 0 } : {}) });
  }

  /** Sets a position motor's target (metres along a prismatic axis, radians about a revolute one). */
  setMotorTarget(joint: string, target: number): void {
    const rec = this.motorJoint(joint);
    const j = this.world.getImpulseJoint(rec.handle) as RAPIER.UnitImpulseJoint;
    j.configureMotorPosition(target, rec.motor!.stiffness, rec.motor!.damping);
    rec.target = target;
  }

  /**
   * Moves a position motor's target to `target` in equal parts over the substeps of the next
   * `step`, rather than at once: a controller interpolating its setpoint, so that the joint
   * travels at a steady rate instead of covering the move in the step's first milliseconds.
   */
  rampMotorTarget(joint: string, target: number): void {
    this.motorJoint(joint);
    this.ramps.set(joint, target);
  }

  private motorJoint(joint: string): JointRecord {
    const rec = this.joints.get(joint);
    if (!rec?.motor) throw new Error(`joint "${joint}" has no motor`);
    return rec;
  }

  body(name: string): RAPIER.RigidBody {
    const b = this.bodies.get(name);
    if (!b) throw new Error(`no body named "${name}"`);
    return b;
  }

  /** Advances `substeps` fixed timesteps, ramping the motor targets `rampMotorTarget` set. */
  step(substeps: number): void {
    if (this.ramps.size === 0) {
      for (let i = 0; i < substeps; i++) this.world.step();
      return;
    }
    const ramps = [...this.ramps].map(([joint, to]) => ({ joint, from: this.joints.get(joint)!.target ?? to, to }));
    this.ramps.clear();
    for (let i = 1; i <= substeps; i++) {
      for (const r of ramps) this.setMotorTarget(r.joint, i === substeps ? r.to : r.from + ((r.to - r.from) * i) / substeps);
      this.world.step();
    }
  }

  /** Places a body and zeroes its velocity: used by resets. */
  teleport(name: string, position: Vec3, rotation: Quat = [0, 0, 0, 1]): void {
    const b = this.body(name);
    b.setTranslation({ x: position[0], y: position[1], z: position[2] }, true);
    b.setRotation({ x: rotation[0], y: rotation[1], z: rotation[2], w: rotation[3] }, true);
    b.setLinvel({ x: 0, y: 0, z: 0 }, true);
    b.setAngvel({ x: 0, y: 0, z: 0 }, true);
  }

  /**
   * The whole world: the motor targets as last set (which a ramp starts from, and Rapier cannot
   * report), then Rapier's own snapshot (bodies, colliders, joints, contacts, solver state).
   */
  snapshot(): Uint8Array {
    const motors = [...this.joints.values()].filter((j) => j.motor !== undefined);
    const rapier = this.world.takeSnapshot();
    const out = new Uint8Array(8 + 8 * motors.length + rapier.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, TARGETS_MAGIC, true);
    view.setUint32(4, motors.length, true);
    motors.forEach((j, i) => view.setFloat64(8 + 8 * i, j.target ?? NaN, true));
    out.set(rapier, 8 + 8 * motors.length);
    return out;
  }

  /**
   * Replaces the world with one restored from bytes and re-resolves every name. Bytes without
   * motor targets (Rapier's alone, as snapshots were before they carried them) leave each target
   * unknown, so that a ramp from it jumps to its end.
   */
  restore(bytes: Uint8Array): void {
    const motors = [...this.joints.values()].filter((j) => j.motor !== undefined);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const tagged =
      bytes.length >= 8 + 8 * motors.length && view.getUint32(0, true) === TARGETS_MAGIC && view.getUint32(4, true) === motors.length;
    const rapierBytes = tagged ? bytes.subarray(8 + 8 * motors.length) : bytes;
    const restored = RAPIER.World.restoreSnapshot(rapierBytes);
    if (!restored) throw new Error("Rapier could not restore the world from these bytes");
    motors.forEach((j, i) => {
      const target = tagged ? view.getFloat64(8 + 8 * i, true) : NaN;
      if (Number.isNaN(target)) delete j.target;
      else j.target = target;
    });
    this.ramps.clear();
    this.world.free();
    this.world = restored;
    this.applyParameters();
    this.bodies = new Map([...this.bodyHandles].map(([name, h]) => [name, restored.getRigidBody(h)]));
    const moving = new Set(this.sceneBodies.filter((b) => b.kind !== "fixed").map((b) => b.name));
    this.moving = [...moving].map((n) => this.body(n));
  }

  sceneBodiesDescription(): SceneBody[] {
    return this.sceneBodies.map((b) => ({ ...b }));
  }

  /** Poses of the non-fixed bodies in scene order. */
  poses(): number[] {
    const out: number[] = [];
    for (const b of this.moving) {
      const t = b.translation();
      const r = b.rotation();
      out.push(t.x, t.y, t.z, r.x, r.y, r.z, r.w);
    }
    return out;
  }

  frame(step: number, markers: Frame["markers"]): Frame {
    return { step, poses: this.poses(), markers };
  }

  /** The bare Rapier world, for benchmarks that measure the physical floor. */
  get raw(): RAPIER.World {
    return this.world;
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.world.free();
  }

  get isFreed(): boolean {
    return this.freed;
  }
}

function vec(v: Vec3): RAPIER.Vector3 {
  return { x: v[0], y: v[1], z: v[2] };
}

function quat(q: Quat): RAPIER.Quaternion {
  return { x: q[0], y: q[1], z: q[2], w: q[3] };
}

function colliderDesc(shape: Shape): RAPIER.ColliderDesc {
  switch (shape.kind) {
    case "sphere":
      return RAPIER.ColliderDesc.ball(shape.radius);
    case "box":
      return RAPIER.ColliderDesc.cuboid(...shape.halfExtents);
    case "capsule":
      return RAPIER.ColliderDesc.capsule(shape.halfHeight, shape.radius);
    case "cylinder":
      return RAPIER.ColliderDesc.cylinder(shape.halfHeight, shape.radius);
  }
}

/** Interaction groups as Rapier packs them: membership in the high 16 bits, filter in the low. */
export function interactionGroups(membership: number, filter: number): number {
  return ((membership & 0xffff) << 16) | (filter & 0xffff);
}
