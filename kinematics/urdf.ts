/**
 * URDF in and out: `parseUrdf` builds a robot description from links (inertials, collision and
 * visual geometry), joints (origin, axis, limits, mimic); `toUrdf` writes one back. Primitive
 * geometry is what the simulator builds; meshes are kept by name (and scale) so that a robot
 * that ships them still loads, and are never simulated. Users bring another arm this way.
 */
import { validateRobot, type Geometry, type GeometryElement, type Inertial, type JointDescription, type JointType, type LinkDescription, type Origin, type RobotDescription } from "./robot-description.js";
import { escapeXml, parseXml, type XmlElement } from "./xml.js";

export class UrdfError extends Error {
  constructor(message: string) {
    super(`URDF: ${message}`);
    this.name = "UrdfError";
  }
}

const JOINT_TYPES: readonly JointType[] = ["revolute", "continuous", "prismatic", "fixed"];

/** Parses URDF text into a validated robot description. */
export function parseUrdf(text: string): RobotDescription {
  const root = parseXml(text);
  if (root.name !== "robot") throw new UrdfError(`the root element must be <robot>, found <${root.name}>`);
  const name = required(root, "name", "<robot>");
  const robot: RobotDescription = {
    name,
    links: children(root, "link").map(readLink),
    joints: children(root, "joint").map(readJoint),
  };
  try {
    validateRobot(robot);
  } catch (e) {
    throw new UrdfError(e instanceof Error ? e.message : String(e));
  }
  return robot;
}

function readLink(el: XmlElement): LinkDescription {
  const name = required(el, "name", "<link>");
  const where = `link "${name}"`;
  const inertialEl = child(el, "inertial");
  const link: LinkDescription = {
    name,
    collisions: children(el, "collision").map((c) => readGeometryElement(c, `${where} <collision>`)),
    visuals: children(el, "visual").map((c) => readGeometryElement(c, `${where} <visual>`)),
  };
  if (inertialEl) link.inertial = readInertial(inertialEl, where);
  return link;
}

function readInertial(el: XmlElement, where: string): Inertial {
  const massEl = child(el, "mass");
  const inertiaEl = child(el, "inertia");
  if (!massEl) throw new UrdfError(`${where}: <inertial> needs a <mass>`);
  if (!inertiaEl) throw new UrdfError(`${where}: <inertial> needs an <inertia>`);
  const n = (key: string) => number(required(inertiaEl, key, `${where} <inertia>`), `${where} <inertia> ${key}`);
  return {
    origin: readOrigin(el, where),
    mass: number(required(massEl, "value", `${where} <mass>`), `${where} <mass>`),
    inertia: { ixx: n("ixx"), ixy: n("ixy"), ixz: n("ixz"), iyy: n("iyy"), iyz: n("iyz"), izz: n("izz") },
  };
}

function readGeometryElement(el: XmlElement, where: string): GeometryElement {
  const g = child(el, "geometry");
  if (!g || g.children.length !== 1) throw new UrdfError(`${where} needs a <geometry> holding exactly one shape`);
  return { origin: readOrigin(el, where), geometry: readGeometry(g.children[0]!, where) };
}

function readGeometry(el: XmlElement, where: string): Geometry {
  const n = (key: string) => positive(required(el, key, `${where} <${el.name}>`), `${where} <${el.name}> ${key}`);
  switch (el.name) {
    case "box": {
      const size = vector(required(el, "size", `${where} <box>`), `${where} <box> size`);
      if (!size.every((v) => v > 0)) throw new UrdfError(`${where} <box> size must be positive, got ${size.join(" ")}`);
      return { kind: "box", size };
    }
    case "cylinder":
      return { kind: "cylinder", radius: n("radius"), length: n("length") };
    case "capsule":
      return { kind: "capsule", radius: n("radius"), length: n("length") };
    case "sphere":
      return { kind: "sphere", radius: n("radius") };
    case "mesh": {
      const scale = el.attributes["scale"];
      return { kind: "mesh", filename: required(el, "filename", `${where} <mesh>`), scale: scale === undefined ? [1, 1, 1] : vector(scale, `${where} <mesh> scale`) };
    }
    default:
      throw new UrdfError(`${where}: unknown geometry <${el.name}> (box, cylinder, capsule, sphere, mesh)`);
  }
}

function readJoint(el: XmlElement): JointDescription {
  const name = required(el, "name", "<joint>");
  const where = `joint "${name}"`;
  const type = required(el, "type", where) as JointType;
  if (!JOINT_TYPES.includes(type)) throw new UrdfError(`${where}: type "${type}" is not supported (${JOINT_TYPES.join(", ")})`);
  const linkOf = (tag: string) => {
    const c = child(el, tag);
    if (!c) throw new UrdfError(`${where} needs a <${tag}>`);
    return required(c, "link", `${where} <${tag}>`);
  };
  const axisEl = child(el, "axis");
  const joint: JointDescription = {
    name,
    type,
    parent: linkOf("parent"),
    child: linkOf("child"),
    origin: readOrigin(el, where),
    // URDF's default axis is x.
    axis: axisEl ? vector(required(axisEl, "xyz", `${where} <axis>`), `${where} <axis>`) : [1, 0, 0],
  };
  const limitEl = child(el, "limit");
  if (limitEl) {
    const n = (key: string, fallback: number) => {
      const v = limitEl.attributes[key];
      return v === undefined ? fallback : number(v, `${where} <limit> ${key}`);
    };
    joint.limits = {
      lower: n("lower", 0),
      upper: n("upper", 0),
      effort: number(required(limitEl, "effort", `${where} <limit>`), `${where} <limit> effort`),
      velocity: number(required(limitEl, "velocity", `${where} <limit>`), `${where} <limit> velocity`),
    };
  }
  const mimicEl = child(el, "mimic");
  if (mimicEl) {
    const m = mimicEl.attributes;
    joint.mimic = {
      joint: required(mimicEl, "joint", `${where} <mimic>`),
      multiplier: m["multiplier"] === undefined ? 1 : number(m["multiplier"], `${where} <mimic> multiplier`),
      offset: m["offset"] === undefined ? 0 : number(m["offset"], `${where} <mimic> offset`),
    };
  }
  return joint;
}

function readOrigin(el: XmlElement, where: string): Origin {
  const o = child(el, "origin");
  const xyz = o?.attributes["xyz"];
  const rpy = o?.attributes["rpy"];
  return { xyz: xyz === undefined ? [0, 0, 0] : vector(xyz, `${where} <origin> xyz`), rpy: rpy === undefined ? [0, 0, 0] : vector(rpy, `${where} <origin> rpy`) };
}

function child(el: XmlElement, name: string): XmlElement | undefined {
  const found = children(el, name);
  if (found.length > 1) throw new UrdfError(`<${el.name}${el.attributes["name"] ? ` name="${el.attributes["name"]}"` : ""}> has ${found.length} <${name}> elements, expected one`);
  return found[0];
}

function children(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

function required(el: XmlElement, key: string, where: string): string {
  const v = el.attributes[key];
  if (v === undefined) throw new UrdfError(`${where} needs the attribute "${key}"`);
  return v;
}

function number(text: string, where: string): number {
  const v = Number(text.trim());
  if (text.trim() === "" || !Number.isFinite(v)) throw new UrdfError(`${where}: "${text}" is not a finite number`);
  return v;
}

function positive(text: string, where: string): number {
  const v = number(text, where);
  if (!(v > 0)) throw new UrdfError(`${where} must be positive, got ${v}`);
  return v;
}

function vector(text: string, where: string): [number, number, number] {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 3) throw new UrdfError(`${where}: "${text}" must be three numbers`);
  return [number(parts[0]!, where), number(parts[1]!, where), number(parts[2]!, where)];
}

/** Writes a description as URDF; numbers keep every digit, so parseUrdf gives it back exactly. */
export function toUrdf(robot: RobotDescription): string {
  const lines = [`<?xml version="1.0"?>`, `<robot name="${escapeXml(robot.name)}">`];
  const v = (xs: readonly number[]) => xs.map(String).join(" ");
  const origin = (o: Origin, indent: string) => `${indent}<origin xyz="${v(o.xyz)}" rpy="${v(o.rpy)}"/>`;
  const geometry = (g: Geometry): string => {
    switch (g.kind) {
      case "box":
        return `<box size="${v(g.size)}"/>`;
      case "cylinder":
      case "capsule":
        return `<${g.kind} radius="${g.radius}" length="${g.length}"/>`;
      case "sphere":
        return `<sphere radius="${g.radius}"/>`;
      case "mesh":
        return `<mesh filename="${escapeXml(g.filename)}" scale="${v(g.scale)}"/>`;
    }
  };
  for (const l of robot.links) {
    lines.push(`  <link name="${escapeXml(l.name)}">`);
    if (l.inertial) {
      const i = l.inertial.inertia;
      lines.push(`    <inertial>`, origin(l.inertial.origin, "      "), `      <mass value="${l.inertial.mass}"/>`);
      lines.push(`      <inertia ixx="${i.ixx}" ixy="${i.ixy}" ixz="${i.ixz}" iyy="${i.iyy}" iyz="${i.iyz}" izz="${i.izz}"/>`, `    </inertial>`);
    }
    for (const [tag, list] of [["visual", l.visuals], ["collision", l.collisions]] as const) {
      for (const g of list) lines.push(`    <${tag}>`, origin(g.origin, "      "), `      <geometry>${geometry(g.geometry)}</geometry>`, `    </${tag}>`);
    }
    lines.push(`  </link>`);
  }
  for (const j of robot.joints) {
    lines.push(`  <joint name="${escapeXml(j.name)}" type="${j.type}">`);
    lines.push(`    <parent link="${escapeXml(j.parent)}"/>`, `    <child link="${escapeXml(j.child)}"/>`, origin(j.origin, "    "), `    <axis xyz="${v(j.axis)}"/>`);
    if (j.limits) lines.push(`    <limit lower="${j.limits.lower}" upper="${j.limits.upper}" effort="${j.limits.effort}" velocity="${j.limits.velocity}"/>`);
    if (j.mimic) lines.push(`    <mimic joint="${escapeXml(j.mimic.joint)}" multiplier="${j.mimic.multiplier}" offset="${j.mimic.offset}"/>`);
    lines.push(`  </joint>`);
  }
  lines.push(`</robot>`, "");
  return lines.join("\n");
}
