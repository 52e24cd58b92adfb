/**
 * A robot as data, in URDF's vocabulary: links (inertial, collision and visual geometry) and
 * joints (parent, child, origin, axis, limits). The kinematics and the simulator build from it;
 * nothing here knows about physics engines.
 */

/** A pose relative to a parent frame: translation, then URDF's roll-pitch-yaw. */
export interface Origin {
  xyz: [number, number, number];
  rpy: [number, number, number];
}

/**
 * Primitive geometry, URDF-style: boxes by full size, cylinders and capsules along local z by
 * length (between the cap centres for a capsule).
 */
export type Geometry =
  | { kind: "box"; size: [number, number, number] }
  | { kind: "cylinder"; radius: number; length: number }
  | { kind: "capsule"; radius: number; length: number }
  | { kind: "sphere"; radius: number };

export interface GeometryElement {
  origin: Origin;
  geometry: Geometry;
}

export interface Inertial {
  origin: Origin;
  /** kg */
  mass: number;
  /** The inertia tensor's upper triangle about the centre of mass, kg·m². */
  inertia: { ixx: number; ixy: number; ixz: number; iyy: number; iyz: number; izz: number };
}

export interface LinkDescription {
  name: string;
  inertial?: Inertial;
  collisions: GeometryElement[];
  visuals: GeometryElement[];
}

export type JointType = "revolute" | "continuous" | "prismatic" | "fixed";

export interface JointLimits {
  /** rad or m */
  lower: number;
  upper: number;
  /** N·m or N */
  effort: number;
  /** rad/s or m/s */
  velocity: number;
}

export interface JointDescription {
  name: string;
  type: JointType;
  parent: string;
  child: string;
  origin: Origin;
  /** Unit axis in the child's frame (which coincides with the joint frame). */
  axis: [number, number, number];
  limits?: JointLimits;
  /** URDF's `<mimic>`: this joint follows `multiplier · joint + offset`. */
  mimic?: { joint: string; multiplier: number; offset: number };
}

export interface RobotDescription {
  name: string;
  links: LinkDescription[];
  joints: JointDescription[];
}

/**
 * Checks the description is a tree: every joint joins known links, each link has at most one
 * parent, exactly one link (the root) has none, and movable joints have limits and a unit axis.
 * Returns the root link's name.
 */
export function validateRobot(robot: RobotDescription): string {
  const names = new Set<string>();
  for (const l of robot.links) {
    if (names.has(l.name)) throw new Error(`${robot.name}: link "${l.name}" is defined twice`);
    names.add(l.name);
    if (l.inertial && !(l.inertial.mass > 0)) throw new Error(`${robot.name}: link "${l.name}" has a non-positive mass ${l.inertial.mass}`);
  }
  const hasParent = new Set<string>();
  const jointNames = new Set<string>();
  for (const j of robot.joints) {
    if (jointNames.has(j.name)) throw new Error(`${robot.name}: joint "${j.name}" is defined twice`);
    jointNames.add(j.name);
    for (const end of [j.parent, j.child])
      if (!names.has(end)) throw new Error(`${robot.name}: joint "${j.name}" names an unknown link "${end}"`);
    if (hasParent.has(j.child)) throw new Error(`${robot.name}: link "${j.child}" has two parent joints`);
    hasParent.add(j.child);
    if (j.type !== "fixed") {
      const n = Math.hypot(...j.axis);
      if (Math.abs(n - 1) > 1e-9) throw new Error(`${robot.name}: joint "${j.name}" axis must be a unit vector, has norm ${n}`);
    }
    if ((j.type === "revolute" || j.type === "prismatic") && !j.limits)
      throw new Error(`${robot.name}: ${j.type} joint "${j.name}" needs limits`);
    if (j.limits && !(j.limits.lower <= j.limits.upper))
      throw new Error(`${robot.name}: joint "${j.name}" has lower ${j.limits.lower} above upper ${j.limits.upper}`);
  }
  const roots = robot.links.filter((l) => !hasParent.has(l.name));
  if (roots.length !== 1)
    throw new Error(`${robot.name}: a robot needs exactly one root link, found ${roots.map((l) => l.name).join(", ") || "none"}`);
  return roots[0]!.name;
}

/** The inertia of a solid primitive of mass `mass` about its centre, in its own axes (x, y, z). */
export function primitiveInertia(g: Geometry, mass: number): [number, number, number] {
  switch (g.kind) {
    case "box": {
      const [x, y, z] = g.size;
      return [(mass * (y * y + z * z)) / 12, (mass * (x * x + z * z)) / 12, (mass * (x * x + y * y)) / 12];
    }
    case "sphere":
      return [0.4 * mass * g.radius ** 2, 0.4 * mass * g.radius ** 2, 0.4 * mass * g.radius ** 2];
    case "cylinder":
    case "capsule": {
      // A capsule is treated as a cylinder of its whole length: close enough for an inertial
      // estimate, and the simulator recomputes the exact figure from the collider.
      const len = g.kind === "capsule" ? g.length + 2 * g.radius : g.length;
      const side = (mass * (3 * g.radius ** 2 + len * len)) / 12;
      return [side, side, (mass * g.radius ** 2) / 2];
    }
  }
}
