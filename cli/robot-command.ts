/**
 * `rapier-gym robot <name> [--fk q1,...,qn]`: a robot's joints and limits, and with --fk the
 * flange's position and orientation in the base frame, so that anyone can hold the kinematics
 * to the manufacturer's table (for the Panda: q = 0 puts the flange at (0.088, 0, 0.926)).
 */
import { KinematicChain } from "../kinematics/kinematics.js";
import { PANDA_LINKS, pandaDescription } from "../kinematics/panda.js";
import type { RobotDescription } from "../kinematics/robot-description.js";
import { toQuat, toRpy } from "../kinematics/transform.js";
import { UsageError } from "./usage-error.js";

interface KnownRobot {
  description: () => RobotDescription;
  base: string;
  flange: string;
}

const ROBOTS: Record<string, KnownRobot> = {
  panda: { description: pandaDescription, base: PANDA_LINKS.base, flange: PANDA_LINKS.flange },
};

export function runRobot(name: string | undefined, fk: string | undefined): number {
  const known = name === undefined ? undefined : ROBOTS[name];
  if (!known)
    throw new UsageError(
      `robot needs a known robot name (${Object.keys(ROBOTS).join(", ")})${name === undefined ? "" : `, got "${name}"`}`,
    );
  const robot = known.description();
  const chain = new KinematicChain(robot, known.base, known.flange);
  console.log(
    `${robot.name}: ${robot.links.length} links, ${robot.joints.length} joints; chain ${known.base} -> ${known.flange} has ${chain.dof} degrees of freedom`,
  );
  console.log("joint                    type       lower      upper      velocity   effort");
  for (const j of robot.joints) {
    const l = j.limits;
    const cells = l ? [l.lower, l.upper, l.velocity, l.effort].map((v) => v.toFixed(4).padStart(10)).join(" ") : "";
    console.log(`${j.name.padEnd(24)} ${j.type.padEnd(10)} ${cells}${j.mimic ? `  (mimics ${j.mimic.joint})` : ""}`);
  }
  if (fk === undefined) return 0;
  const q = fk.split(",").map((s) => Number(s.trim()));
  if (q.length !== chain.dof || q.some((v) => !Number.isFinite(v))) {
    throw new UsageError(`--fk needs ${chain.dof} comma-separated numbers (radians for ${chain.jointNames.join(", ")}), got "${fk}"`);
  }
  const outside = chain.jointNames.filter((_, i) => q[i]! < chain.lower[i]! || q[i]! > chain.upper[i]!);
  const t = chain.fk(q);
  const f = (xs: readonly number[]) => xs.map((v) => (Math.abs(v) < 5e-13 ? 0 : v).toFixed(6)).join(", ");
  console.log(`flange (${known.flange}) in the base frame at q = (${q.join(", ")}):`);
  console.log(`  position   (${f([t[9]!, t[10]!, t[11]!])}) m`);
  console.log(`  quaternion (${f(toQuat(t))}) [x, y, z, w]`);
  console.log(`  roll-pitch-yaw (${f(toRpy(t))}) rad`);
  if (outside.length) console.log(`  note: outside the limits of ${outside.join(", ")}`);
  return 0;
}
