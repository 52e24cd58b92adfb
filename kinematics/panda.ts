/**
 * A Franka-Emika-Panda-style arm as data, from the published figures (Franka's robot and
 * interface specification for the modified-DH table and the joint limits; Gaz et al., "Dynamic
 * Identification of the Franka Emika Panda Robot", IEEE RA-L 2019, for the link masses): the
 * modified-DH table, Franka's joint limits, the identified link masses, a hand with two prismatic fingers,
 * and collision shapes from primitives. Link frames are the DH frames, as in Franka's own URDF,
 * so joint i's origin is RotX(α)·TransX(a)·TransZ(d) and its axis is z.
 */
import {
  primitiveInertia,
  type Geometry,
  type GeometryElement,
  type JointDescription,
  type LinkDescription,
  type Origin,
  type RobotDescription,
} from "./robot-description.js";

/** One row of the modified-DH (Craig) table: the transform RotX(alpha)·TransX(a)·RotZ(θ)·TransZ(d). */
export interface DhRow {
  a: number;
  d: number;
  alpha: number;
}

/** Joints 1 to 7, then the flange (θ = 0). */
export const PANDA_DH: readonly DhRow[] = [
  { a: 0, d: 0.333, alpha: 0 },
  { a: 0, d: 0, alpha: -Math.PI / 2 },
  { a: 0, d: 0.316, alpha: Math.PI / 2 },
  { a: 0.0825, d: 0, alpha: Math.PI / 2 },
  { a: -0.0825, d: 0.384, alpha: -Math.PI / 2 },
  { a: 0, d: 0, alpha: Math.PI / 2 },
  { a: 0.088, d: 0, alpha: Math.PI / 2 },
  { a: 0, d: 0.107, alpha: 0 },
];

export const PANDA_LIMITS = {
  lower: [-2.8973, -1.7628, -2.8973, -3.0718, -2.8973, -0.0175, -2.8973],
  upper: [2.8973, 1.7628, 2.8973, -0.0698, 2.8973, 3.7525, 2.8973],
  velocity: [2.175, 2.175, 2.175, 2.175, 2.61, 2.61, 2.61],
  torque: [87, 87, 87, 87, 12, 12, 12],
} as const;

/** Link 1..7 then the hand, kg (Gaz et al. 2019). */
export const PANDA_MASSES = [4.9707, 0.6469, 3.2286, 3.5879, 1.2259, 1.6666, 0.7355, 0.73] as const;
export const FINGER_MASS = 0.015;

export const PANDA_GRIPPER = {
  /** Each finger's travel, m. */
  maxOpening: 0.04,
  continuousForce: 70,
  maxForce: 140,
  /** m/s per finger. */
  maxSpeed: 0.05,
} as const;

/** panda-gym's neutral pose. */
export const PANDA_NEUTRAL = [0, 0.41, 0, -1.85, 0, 2.26, 0.79] as const;
/** The hand sits on the flange rotated −π/4 about z; the tool centre point is 0.1034 m beyond. */
export const HAND_YAW = -Math.PI / 4;
export const TCP_OFFSET = 0.1034;
/** Where the finger joints sit on the hand, along its z. */
const FINGER_BASE = 0.0584;

export const PANDA_LINKS = {
  base: "panda_link0",
  flange: "panda_link8",
  hand: "panda_hand",
  tcp: "panda_grasptarget",
  leftFinger: "panda_leftfinger",
  rightFinger: "panda_rightfinger",
} as const;
export const PANDA_FINGER_JOINTS = ["panda_finger_joint1", "panda_finger_joint2"] as const;

const ZERO: [number, number, number] = [0, 0, 0];
const origin = (xyz: [number, number, number], rpy: [number, number, number] = ZERO): Origin => ({ xyz, rpy });
const capsule = (radius: number, length: number): Geometry => ({ kind: "capsule", radius, length });

/**
 * Collision primitives per link, in the link's DH frame: capsules along the segments that the
 * real link's shell covers, sized to its outline (radius 5–6 cm). Orientations put a capsule's
 * z along the segment: roll π/2 for a segment along y, pitch π/2 for one along x.
 */
const LINK_SHAPES: GeometryElement[] = [
  { origin: origin([0, 0, 0.07]), geometry: { kind: "cylinder", radius: 0.07, length: 0.14 } },
  { origin: origin([0, 0, -0.1]), geometry: capsule(0.06, 0.12) },
  { origin: origin([0, -0.1, 0], [Math.PI / 2, 0, 0]), geometry: capsule(0.06, 0.12) },
  { origin: origin([0.02, 0, -0.1], [0, -0.2, 0]), geometry: capsule(0.06, 0.16) },
  { origin: origin([-0.04, 0.08, 0], [Math.PI / 2, 0, 0]), geometry: capsule(0.055, 0.12) },
  { origin: origin([0, 0, -0.14]), geometry: capsule(0.05, 0.18) },
  { origin: origin([0.044, 0, 0], [0, Math.PI / 2, 0]), geometry: capsule(0.05, 0.088) },
  { origin: origin([0, 0, 0.04]), geometry: capsule(0.045, 0.06) },
];
const HAND_SHAPE: GeometryElement = { origin: origin([0, 0, 0.03]), geometry: { kind: "box", size: [0.05, 0.2, 0.06] } };
/** A finger pad, its inner face on the joint's zero plane so that the opening is exactly q. */
const fingerShape = (side: 1 | -1): GeometryElement => ({
  origin: origin([0, side * 0.008, 0.027]),
  geometry: { kind: "box", size: [0.02, 0.016, 0.054] },
});

/** A link whose inertial is its collision primitive's, with the given mass. */
function solidLink(name: string, mass: number, shape: GeometryElement | null): LinkDescription {
  if (!shape) return { name, collisions: [], visuals: [] };
  const [ixx, iyy, izz] = primitiveInertia(shape.geometry, mass);
  // The primitive's axes are rotated in the link: the tensor is given in the primitive's frame,
  // which URDF allows through the inertial origin's rpy.
  return {
    name,
    inertial: { origin: shape.origin, mass, inertia: { ixx, ixy: 0, ixz: 0, iyy, iyz: 0, izz } },
    collisions: [shape],
    visuals: [shape],
  };
}

/** The Panda as a robot description (in URDF's vocabulary: kinematics/robot-description.ts). */
export function pandaDescription(): RobotDescription {
  const parts = [armChain(), handAndTcp(), fingers()];
  return { name: "panda", links: parts.flatMap((p) => p.links), joints: parts.flatMap((p) => p.joints) };
}

interface DescriptionPart {
  links: LinkDescription[];
  joints: JointDescription[];
}

/** The base, seven revolute joints from the DH table, and the flange fixed to link 7. */
function armChain(): DescriptionPart {
  const links: LinkDescription[] = [{ name: PANDA_LINKS.base, collisions: [LINK_SHAPES[0]!], visuals: [LINK_SHAPES[0]!] }];
  const joints: JointDescription[] = [];
  for (let i = 1; i <= 7; i++) {
    const { a, d, alpha } = PANDA_DH[i - 1]!;
    links.push(solidLink(`panda_link${i}`, PANDA_MASSES[i - 1]!, LINK_SHAPES[i]!));
    joints.push({
      name: `panda_joint${i}`,
      type: "revolute",
      parent: `panda_link${i - 1}`,
      child: `panda_link${i}`,
      origin: dhOrigin(a, d, alpha),
      axis: [0, 0, 1],
      limits: {
        lower: PANDA_LIMITS.lower[i - 1]!,
        upper: PANDA_LIMITS.upper[i - 1]!,
        effort: PANDA_LIMITS.torque[i - 1]!,
        velocity: PANDA_LIMITS.velocity[i - 1]!,
      },
    });
  }
  const flange = PANDA_DH[7]!;
  links.push(solidLink(PANDA_LINKS.flange, 0, null));
  joints.push({
    name: "panda_joint8",
    type: "fixed",
    parent: "panda_link7",
    child: PANDA_LINKS.flange,
    origin: dhOrigin(flange.a, flange.d, flange.alpha),
    axis: [0, 0, 1],
  });
  return { links, joints };
}

/** The hand on the flange, and the tool centre point between the fingertips. */
function handAndTcp(): DescriptionPart {
  return {
    links: [solidLink(PANDA_LINKS.hand, PANDA_MASSES[7], HAND_SHAPE), solidLink(PANDA_LINKS.tcp, 0, null)],
    joints: [
      {
        name: "panda_hand_joint",
        type: "fixed",
        parent: PANDA_LINKS.flange,
        child: PANDA_LINKS.hand,
        origin: origin(ZERO, [0, 0, HAND_YAW]),
        axis: [0, 0, 1],
      },
      {
        name: "panda_grasptarget_hand",
        type: "fixed",
        parent: PANDA_LINKS.hand,
        child: PANDA_LINKS.tcp,
        origin: origin([0, 0, TCP_OFFSET]),
        axis: [0, 0, 1],
      },
    ],
  };
}

/** The two prismatic fingers, the right one mimicking the left. */
function fingers(): DescriptionPart {
  const limits = {
    lower: 0,
    upper: PANDA_GRIPPER.maxOpening,
    effort: PANDA_GRIPPER.continuousForce,
    velocity: PANDA_GRIPPER.maxSpeed,
  };
  const finger = (side: 1 | -1): JointDescription => ({
    name: PANDA_FINGER_JOINTS[side === 1 ? 0 : 1],
    type: "prismatic",
    parent: PANDA_LINKS.hand,
    child: side === 1 ? PANDA_LINKS.leftFinger : PANDA_LINKS.rightFinger,
    origin: origin([0, 0, FINGER_BASE]),
    axis: [0, side, 0],
    limits,
    ...(side === -1 ? { mimic: { joint: PANDA_FINGER_JOINTS[0], multiplier: 1, offset: 0 } } : {}),
  });
  return {
    links: [
      solidLink(PANDA_LINKS.leftFinger, FINGER_MASS, fingerShape(1)),
      solidLink(PANDA_LINKS.rightFinger, FINGER_MASS, fingerShape(-1)),
    ],
    joints: [finger(1), finger(-1)],
  };
}

/** A modified-DH row as a URDF origin: translation (a, −d·sin α, d·cos α), roll α. */
function dhOrigin(a: number, d: number, alpha: number): Origin {
  // `+ 0` turns the −0 of d = 0 into 0, so that the origin reads 0 wherever it is printed or compared.
  return { xyz: [a, -d * Math.sin(alpha) + 0, d * Math.cos(alpha)], rpy: [alpha, 0, 0] };
}
