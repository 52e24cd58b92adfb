/**
 * Scripted experts for the Panda tasks with ee control (PandaReach, PandaPush, PandaPickAndPlace,
 * PandaStack): each reads only the observation and keeps no memory, so it drives local and
 * remote envs alike and needs no reset between episodes, as the point-mass PushExpert. They are
 * the demo sources for relay learning and the physics oracle of the tests.
 *
 * Every expert steers the tool by a proportional action toward a waypoint; the waypoint is
 * chosen from where the tool, the fingers and the objects are:
 * - Reach: the goal.
 * - Push: above a point behind the cube (on the far side from the goal), down to the table, then
 *   through the cube toward the goal, rising to go round again when the cube turns off line.
 * - PickAndPlace: above the cube with the fingers open, down, close, then carry it to the goal.
 * - Stack: pick and place the first cube on its goal, release it and rise, then the second.
 * - Slide: strike the puck once, with the closed fingers' corner, at the speed that carries it to
 *   the goal by the episode's end.
 */
import type { GoalObs } from "../../sim/core/env.js";

export type PandaTaskName = "reach" | "push" | "pickAndPlace" | "stack" | "slide";

/** Action per metre of error: saturates (±1, about 5 cm of travel) beyond 6.7 cm. */
const GAIN = 15;
/** Cube half-size, and the tool's height when its fingertips skim the table (TCP z). */
const HALF = 0.02;
const LOW = 0.02;
/** Height at which the tool travels over cubes without touching them. */
const TRAVEL = 0.09;
/** Push: how far behind the cube's centre the tool lines up. */
const BEHIND = 0.06;
/** Push: how far off the line through the cube the tool may be and still push. */
const PUSH_CORRIDOR = 0.02;
/** Push: the largest action while pushing (about 2.5 cm per step). */
const PUSH_SPEED = 0.5;
/** Stack: the first cube this close (xy) to its goal counts as placed. */
const PLACED_FOR_STACK = 0.03;
/** A cube this close to its goal (xy) is left alone. */
const PLACED = 0.02;

type Vec3 = [number, number, number];

function steer(tool: ArrayLike<number>, target: Vec3, gain = GAIN): number[] {
  return [0, 1, 2].map((i) => Math.max(-1, Math.min(1, (target[i]! - tool[i]!) * gain)));
}

function xyDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!);
}

function vec(a: ArrayLike<number>, offset = 0): Vec3 {
  return [a[offset]!, a[offset + 1]!, a[offset + 2]!];
}

/** Reach: straight to the goal. */
export function reachExpert(obs: GoalObs): Float64Array {
  return Float64Array.from(steer(obs.observation, vec(obs.desired_goal)));
}

/** Push (fingers closed): line up behind the cube, then drive it to the goal. */
export function pushExpert(obs: GoalObs): Float64Array {
  const o = obs.observation;
  const tool = vec(o);
  const cube = vec(o, 6);
  const goal = vec(obs.desired_goal);
  const dx = goal[0] - cube[0];
  const dy = goal[1] - cube[1];
  const dist = Math.hypot(dx, dy);
  // Placed: back off upward so that the tool's momentum does not knock it on.
  if (dist < PLACED) return Float64Array.of(0, 0, tool[2] < TRAVEL ? 0.5 : 0);
  const [ux, uy] = [dx / dist, dy / dist];
  // Where the tool is relative to the cube: along the push line (negative: behind) and across it.
  const rx = tool[0] - cube[0];
  const ry = tool[1] - cube[1];
  const along = rx * ux + ry * uy;
  const across = Math.abs(-rx * uy + ry * ux);
  if (along < -HALF && along > -BEHIND - 0.02 && across < PUSH_CORRIDOR && tool[2] < LOW + 0.02) {
    // Pushing: aim just past the contact point behind the cube, re-centred on the line every
    // step (so a cube that turns is steered back), at a speed that tapers near the goal so the
    // 1 kg cube does not slide on past it.
    const advance = Math.min(dist, 0.03);
    const target: Vec3 = [cube[0] - ux * (HALF + 0.01 - advance), cube[1] - uy * (HALF + 0.01 - advance), LOW];
    const a = steer(tool, target, GAIN);
    const speed = Math.min(PUSH_SPEED, Math.max(0.15, dist * 6));
    const norm = Math.hypot(a[0]!, a[1]!);
    return Float64Array.of(
      (a[0]! / Math.max(norm, 1e-9)) * Math.min(norm, speed),
      (a[1]! / Math.max(norm, 1e-9)) * Math.min(norm, speed),
      a[2]!,
    );
  }
  const behind: Vec3 = [cube[0] - ux * BEHIND, cube[1] - uy * BEHIND, LOW];
  const toBehind = xyDistance(tool, behind);
  // Over the point behind the cube: drop to the table.
  if (toBehind < 0.015 || (toBehind < 0.03 && tool[2] < TRAVEL - 0.03)) return Float64Array.from(steer(tool, behind));
  // Go round: rise first if low near the cube, then travel above the point behind it.
  const fromCube = xyDistance(tool, cube);
  if (fromCube < BEHIND - 0.015 && tool[2] < TRAVEL - 0.03) {
    // Rise while backing away from the cube, so that rising does not drag it along.
    const k = 0.02 / Math.max(fromCube, 1e-6);
    return Float64Array.from(steer(tool, [tool[0] + rx * k, tool[1] + ry * k, TRAVEL]));
  }
  return Float64Array.from(steer(tool, [behind[0], behind[1], TRAVEL]));
}

/**
 * One cube from where it is to `goal`, gripper in the last action entry: approach above it with
 * the fingers open, descend, close, carry. `release` opens the fingers once the cube is there.
 */
function pickAndPlace(tool: Vec3, width: number, cube: Vec3, goal: Vec3, release: boolean): number[] {
  const held =
    width < 2 * HALF + 0.004 && width > 2 * HALF - 0.01 && Math.hypot(tool[0] - cube[0], tool[1] - cube[1], tool[2] - cube[2]) < 0.02;
  if (held) {
    const there = Math.hypot(goal[0] - cube[0], goal[1] - cube[1], goal[2] - cube[2]) < 0.01;
    if (there && release) return [...steer(tool, [tool[0], tool[1], tool[2]]), 1];
    // Lift straight up before travelling, so a cube carried low does not sweep into the other.
    const far = xyDistance(cube, goal) > 0.03;
    const carry = Math.max(goal[2], TRAVEL - 0.02);
    if (far && tool[2] < carry - 0.02) return [...steer(tool, [tool[0], tool[1], carry]), -1];
    return [...steer(tool, far ? [goal[0], goal[1], carry] : goal), -1];
  }
  const overCube = xyDistance(tool, cube) < 0.008;
  const open = width > 2 * HALF + 0.02;
  if (overCube && Math.abs(tool[2] - cube[2]) < 0.006) return [...steer(tool, cube), open || width > 2 * HALF - 0.01 ? -1 : 1];
  if (!open) {
    // Fingers closed on nothing (or on the cube from a bad angle): rise and open.
    return [...steer(tool, [tool[0], tool[1], Math.max(tool[2], cube[2] + 0.05)]), 1];
  }
  if (overCube) return [...steer(tool, cube), 1];
  const far = xyDistance(tool, cube) > 0.02;
  const travel = Math.max(cube[2] + 0.05, TRAVEL - 0.03);
  // Low and far from the cube (just after letting another go): rise straight up first, so the
  // open fingers do not drag through what they left.
  if (far && tool[2] < travel - 0.02) return [...steer(tool, [tool[0], tool[1], travel]), 1];
  return [...steer(tool, [cube[0], cube[1], far ? travel : cube[2] + 0.03]), 1];
}

/** PickAndPlace: grasp the cube and hold it on the goal. */
export function pickAndPlaceExpert(obs: GoalObs): Float64Array {
  const o = obs.observation;
  return Float64Array.from(pickAndPlace(vec(o), o[6]!, vec(o, 7), vec(obs.desired_goal), false));
}

/** Stack: the first cube onto its goal, released; then the second onto the first. */
export function stackExpert(obs: GoalObs): Float64Array {
  const o = obs.observation;
  const tool = vec(o);
  const width = o[6]!;
  const first = vec(o, 7);
  const second = vec(o, 19);
  const g = obs.desired_goal;
  const goal0 = vec(g);
  // Near enough: Stack's success radius (0.1 over both cubes) leaves room, and the second cube
  // goes onto the first where it is rather than onto its own goal.
  const firstPlaced = xyDistance(first, goal0) < PLACED_FOR_STACK && first[2] < HALF + 0.005;
  if (!firstPlaced) return Float64Array.from(pickAndPlace(tool, width, first, goal0, true));
  // Leaving the first cube: open and rise clear of it before turning to the second.
  if (xyDistance(tool, first) < 0.03 && tool[2] < first[2] + 0.05 && xyDistance(second, first) > 0.03)
    return Float64Array.from([...steer(tool, [tool[0], tool[1], TRAVEL]), 1]);
  // Carry the second cube above the first before lowering it, so it lands on top.
  const top: Vec3 = [first[0], first[1], first[2] + 2 * HALF];
  const onTop = xyDistance(second, top) < 0.01;
  return Float64Array.from(pickAndPlace(tool, width, second, onTop ? top : [top[0], top[1], top[2] + 0.02], onTop));
}

/** Slide: the closed fingers are a 2 × 3.2 cm box; its corner strikes the puck (radius 3 cm). */
const SLIDE = {
  fingersHalf: [0.01, 0.016],
  puckRadius: 0.03,
  /** The tool lines up this far behind the contact point, to strike at a steady speed... */
  runUp: 0.13,
  /** ...this low (TCP z: the fingertips just above the table), coming down from this high. */
  height: 0.012,
  approachHeight: 0.06,
  /** The tool's commanded speed per unit of action: 0.05 m per 0.04 s step. */
  speedPerAction: 0.05 / 0.04,
  /** μg of the puck on the table (0.02 × 9.81), its only deceleration. */
  deceleration: 0.196,
  /**
   * Seconds left when the strike lands, taken as fixed (26 of the 50 steps): the expert keeps no
   * clock, and its strikes land at steps 21–29. Calibrated with `puckPerTool` on 60 episodes;
   * 71% of 100 other ones succeed.
   */
  timeLeft: 26 * 0.04,
  /** The puck leaves at 1.18× the tool's commanded speed (a corner strike, smoothControl). */
  puckPerTool: 1.18,
};

/**
 * Slide: from above, down to a point behind the puck on the line from it to the goal, offset so
 * that the fingers' corner (not their face, which sends the puck along x whatever the aim) meets
 * it with the contact normal pointing at the goal; then a straight strike at the speed from which
 * friction leaves the puck on the goal when the episode ends (or at rest there, if it stops first).
 */
export function slideExpert(obs: GoalObs): Float64Array {
  const o = obs.observation;
  const tool = vec(o);
  const puck = vec(o, 6);
  const goal = obs.desired_goal;
  const dist = xyDistance(goal, puck);
  const [ux, uy] = [(goal[0]! - puck[0]) / dist, (goal[1]! - puck[1]) / dist];
  // Struck: back away from the puck's line and stay clear.
  if (Math.hypot(o[12]!, o[13]!) > 0.02) return Float64Array.of(-0.3 * ux, -0.3 * uy, 0.5);
  const side = uy >= 0 ? 1 : -1;
  const contact = [puck[0] - SLIDE.puckRadius * ux - SLIDE.fingersHalf[0]!, puck[1] - SLIDE.puckRadius * uy - side * SLIDE.fingersHalf[1]!];
  const start: Vec3 = [contact[0]! - SLIDE.runUp * ux, contact[1]! - SLIDE.runUp * uy, SLIDE.height];
  const rx = tool[0] - start[0];
  const ry = tool[1] - start[1];
  const along = rx * ux + ry * uy;
  const across = -rx * uy + ry * ux;
  if (Math.abs(across) < 0.006 && along > -0.01 && along < SLIDE.runUp + 0.02 && tool[2] < start[2] + 0.01) {
    const t = SLIDE.timeLeft;
    const a = SLIDE.deceleration;
    // On the goal at the end while still sliding, or at rest on it if it would stop before.
    const moving = dist / t + (a * t) / 2;
    const speed = moving < a * t ? Math.sqrt(2 * a * dist) : moving;
    const action = speed / SLIDE.puckPerTool / SLIDE.speedPerAction;
    // Along the line at that speed, steered back onto it.
    const clip = (v: number) => Math.max(-1, Math.min(1, v));
    return Float64Array.from([ux * action + uy * across * 10, uy * action - ux * across * 10, (start[2] - tool[2]) * 10].map(clip));
  }
  if (Math.hypot(rx, ry) < 0.015) return Float64Array.from(steer(tool, start, 10));
  return Float64Array.from(steer(tool, [start[0], start[1], SLIDE.approachHeight], 10));
}

/** The expert of a Panda ee-control env id, or undefined for an id with none (Joints ids). */
export function pandaExpertFor(id: string): ((obs: GoalObs) => Float64Array) | undefined {
  const m = /^Panda(Reach|Push|PickAndPlace|Stack|Slide)(Dense)?-v\d+$/.exec(id);
  if (!m) return undefined;
  return { Reach: reachExpert, Push: pushExpert, PickAndPlace: pickAndPlaceExpert, Stack: stackExpert, Slide: slideExpert }[
    m[1] as "Reach" | "Push" | "PickAndPlace" | "Stack" | "Slide"
  ];
}
