/**
 * The scripted expert for the PointMass tasks: get behind a block, on the far side from where it
 * should go, and push it there; with several blocks, one block at a time. With no block it drives
 * the mass to the goal. It reads only the observation and keeps no memory, so it drives local and
 * remote envs alike, needs no reset between episodes, and is the demo source for relay learning
 * and the physics oracle of the tests.
 *
 * With two blocks the hard part is that they get in each other's way: a block pushed straight to
 * its goal can run into the other block, or the mass, walking behind it, can. So the expert
 * plans each push as a straight line or a detour through one waypoint around the other block
 * (`route`), and places first the block whose placement leaves the easier route for the other
 * (`chooseBlock`).
 */
import type { GoalObs } from "../../sim/core/env.js";

export interface PushExpertConfig {
  /** A block this close to its goal counts as placed; below the env's 0.3 for a margin. */
  placedRadius: number;
  /** Sphere radius + block half-extent: centre distance when the sphere touches a face. */
  contact: number;
  /** Radius at which the mass circles a block to get behind it, clear of its corners (0.7). */
  orbit: number;
}

const DEFAULTS: PushExpertConfig = { placedRadius: 0.12, contact: 0.55, orbit: 0.85 };

/**
 * A block left within this distance of its goal is not pushed again: past `placedRadius` (where
 * pushing stops) so that a small knock does not send the mass back, still below the env's 0.3.
 */
const SETTLED_RADIUS = 0.2;
/** Centre distance a pushed block (and the mass behind it) should keep from another block. */
const CLEARANCE = 1.0;
/** Distance from an obstacle block at which detour waypoints are placed. */
const DETOUR_RADIUS = 1.15;
/** Number of candidate waypoints, evenly spaced on the circle around an obstacle block. */
const DETOUR_CANDIDATES = 16;
/** Waypoints stay inside this square, so that the mass can still get behind the block there. */
const WAYPOINT_LIMIT = 1.9;
/** Route cost, in metres, of a waypoint: the mass has to circle the block again to turn it. */
const TURN_COST = 0.6;
/** Route cost per metre that a route comes closer to an obstacle than CLEARANCE. */
const CROWDING_COST = 8;
/**
 * An obstacle block whose centre is within orbit + MASS_CLEARANCE of the circled block stands in
 * the way of the circling mass (whose centre touches a block's face at 0.55, a corner at 0.69).
 */
const MASS_CLEARANCE = 0.8;

interface Point {
  x: number;
  y: number;
}

/** A block's position and goal, read from the observation. */
interface BlockState {
  bx: number;
  by: number;
  gx: number;
  gy: number;
}

/** Where to push a block next (its goal or a waypoint), and the estimated cost of the route. */
interface Route {
  target: Point;
  final: boolean;
  cost: number;
}

export class PushExpert {
  private readonly config: PushExpertConfig;

  constructor(config: Partial<PushExpertConfig> = {}) {
    this.config = { ...DEFAULTS, ...config };
  }

  act(obs: GoalObs): Float64Array {
    const o = obs.observation;
    const numBlocks = (o.length - 4) / 4;
    const blocks: BlockState[] = Array.from({ length: numBlocks }, (_, i) => ({
      bx: o[4 + 4 * i]!,
      by: o[5 + 4 * i]!,
      gx: obs.desired_goal[2 * i]!,
      gy: obs.desired_goal[2 * i + 1]!,
    }));
    const mx = o[0]!;
    const my = o[1]!;
    if (numBlocks === 0) return towards(mx, my, obs.desired_goal[0]!, obs.desired_goal[1]!);
    const current = this.chooseBlock(mx, my, blocks);
    if (current < 0) return new Float64Array(2);
    const b = blocks[current]!;
    const obstacles = blocks.filter((_, i) => i !== current).map((c) => ({ x: c.bx, y: c.by }));
    return this.push(mx, my, b, route(b, obstacles, this.config.contact), obstacles);
  }

  /**
   * The block to work on, or -1 when all are placed. A block the mass is already pushing is kept
   * until placed, so the choice does not flip mid-push as the blocks move. Among the others still
   * off their goals, the first is the one for which the whole job is cheapest (`workCost`): this
   * block, avoiding the others where they are, then the rest, avoiding it on its goal. So a block
   * whose way passes over the other's goal goes first.
   */
  private chooseBlock(mx: number, my: number, blocks: BlockState[]): number {
    const distances = blocks.map((b) => Math.hypot(b.gx - b.bx, b.gy - b.by));
    const engaged = blocks.findIndex((b, i) => {
      if (distances[i]! <= this.config.placedRadius) return false;
      const others = blocks.filter((_, j) => j !== i).map((c) => ({ x: c.bx, y: c.by }));
      return this.isPushing(mx, my, b, route(b, others, this.config.contact).target);
    });
    if (engaged >= 0) return engaged;
    const open = blocks.map((_, i) => i).filter((i) => distances[i]! > SETTLED_RADIUS);
    let best = -1;
    let bestCost = Infinity;
    for (const i of open) {
      const b = blocks[i]!;
      const others = blocks.filter((_, j) => j !== i);
      let cost = this.workCost(
        { x: mx, y: my },
        b,
        others.map((c) => ({ x: c.bx, y: c.by })),
      );
      for (const j of open) if (j !== i) cost += this.workCost({ x: b.gx, y: b.gy }, blocks[j]!, [{ x: b.gx, y: b.gy }]);
      if (cost < bestCost) {
        best = i;
        bestCost = cost;
      }
    }
    return best;
  }

  /**
   * Estimated metres of travel to place a block with the mass starting at `from`: the walk to the
   * pushing position behind the block, plus the push. Counting the walk makes the block the mass
   * is at the cheaper one to do first, which keeps the choice from flipping while it works.
   */
  private workCost(from: Point, b: BlockState, obstacles: Point[]): number {
    const r = route(b, obstacles, this.config.contact);
    const { dx, dy } = pushFrame(from.x, from.y, b, r.target);
    const behind = { x: b.bx - dx * this.config.contact, y: b.by - dy * this.config.contact };
    return Math.hypot(behind.x - from.x, behind.y - from.y) + r.cost;
  }

  /** Whether the mass is behind the block, on its line to the target, close enough to push. */
  private isPushing(mx: number, my: number, b: BlockState, target: Point): boolean {
    const { along, lateral } = pushFrame(mx, my, b, target);
    return along < -0.4 && Math.abs(lateral) < 0.15 && Math.hypot(mx - b.bx, my - b.by) < this.config.contact + 0.25;
  }

  private push(mx: number, my: number, b: BlockState, r: Route, obstacles: Point[]): Float64Array {
    const { contact, orbit } = this.config;
    const { dx, dy, dist, lateral } = pushFrame(mx, my, b, r.target);
    if (this.isPushing(mx, my, b, r.target)) {
      // Push through the centre, steering back onto the line; slow down only near the goal.
      const aimX = b.bx + dx * Math.min(dist, 0.5) + dy * lateral * 1.5;
      const aimY = b.by + dy * Math.min(dist, 0.5) - dx * lateral * 1.5;
      const gain = r.final ? Math.min(1, (dist + 0.1) / 0.3) : 1;
      return towards(mx, my, aimX, aimY, gain);
    }
    // Otherwise circle the block at a safe radius until behind it, then close in.
    const rx = mx - b.bx;
    const ry = my - b.by;
    const angleMass = Math.atan2(ry, rx);
    const angleBehind = Math.atan2(-dy, -dx);
    const error = wrapAngle(angleBehind - angleMass);
    if (Math.abs(error) < 0.3 && Math.hypot(rx, ry) < orbit + 0.4) {
      return avoid(mx, my, towards(mx, my, b.bx - dx * (contact + 0.05), b.by - dy * (contact + 0.05)), obstacles);
    }
    // Go round the side that does not run into another block, the short way if both are free.
    const other = error - 2 * Math.PI * Math.sign(error);
    const turn = arcBlocked(b, orbit, angleMass, error, obstacles) && !arcBlocked(b, orbit, angleMass, other, obstacles) ? other : error;
    const next = angleMass + Math.max(-0.7, Math.min(0.7, turn));
    return avoid(mx, my, towards(mx, my, b.bx + orbit * Math.cos(next), b.by + orbit * Math.sin(next)), obstacles);
  }
}

/** The push direction (dx, dy) from the block to the target, and the mass in that frame. */
function pushFrame(mx: number, my: number, b: BlockState, target: Point) {
  const ex = target.x - b.bx;
  const ey = target.y - b.by;
  const dist = Math.hypot(ex, ey) || 1e-9;
  const dx = ex / dist;
  const dy = ey / dist;
  const rx = mx - b.bx;
  const ry = my - b.by;
  return { dx, dy, dist, along: rx * dx + ry * dy, lateral: -rx * dy + ry * dx };
}

/**
 * The cheapest way to push a block to its goal past the obstacle blocks: straight, or through
 * one waypoint on a circle around an obstacle. The cost is the length, plus TURN_COST for a
 * waypoint, plus CROWDING_COST per metre that the block, or the mass behind it, comes closer to
 * an obstacle than CLEARANCE. Being a function of the positions only, it is recomputed every
 * step: once the block is past the obstacle the straight route wins and the detour ends.
 */
function route(b: BlockState, obstacles: Point[], contact: number): Route {
  const start = { x: b.bx, y: b.by };
  const goal = { x: b.gx, y: b.gy };
  let best: Route = { target: goal, final: true, cost: segmentCost(start, goal, obstacles, contact) };
  for (const o of obstacles) {
    for (let k = 0; k < DETOUR_CANDIDATES; k++) {
      const angle = (2 * Math.PI * k) / DETOUR_CANDIDATES;
      const w = { x: o.x + DETOUR_RADIUS * Math.cos(angle), y: o.y + DETOUR_RADIUS * Math.sin(angle) };
      // A waypoint the block is already at would give no push direction; one near a wall no room.
      if (Math.hypot(w.x - start.x, w.y - start.y) < 0.25) continue;
      if (Math.abs(w.x) > WAYPOINT_LIMIT || Math.abs(w.y) > WAYPOINT_LIMIT) continue;
      const cost = segmentCost(start, w, obstacles, contact) + TURN_COST + segmentCost(w, goal, obstacles, contact);
      if (cost < best.cost) best = { target: w, final: false, cost };
    }
  }
  return best;
}

/** Length plus crowding penalty of one straight push, the mass starting `contact` behind. */
function segmentCost(from: Point, to: Point, obstacles: Point[], contact: number): number {
  const length = Math.hypot(to.x - from.x, to.y - from.y);
  if (length === 0) return 0;
  const dx = (to.x - from.x) / length;
  const dy = (to.y - from.y) / length;
  const tail = { x: from.x - dx * contact, y: from.y - dy * contact };
  let cost = length;
  for (const o of obstacles) cost += CROWDING_COST * Math.max(0, CLEARANCE - segmentDistance(o, tail, to));
  return cost;
}

/** Distance from p to the segment a–b. */
function segmentDistance(p: Point, a: Point, b: Point): number {
  const ex = b.x - a.x;
  const ey = b.y - a.y;
  const t = Math.max(0, Math.min(1, ((p.x - a.x) * ex + (p.y - a.y) * ey) / (ex * ex + ey * ey || 1)));
  return Math.hypot(p.x - a.x - t * ex, p.y - a.y - t * ey);
}

/**
 * Whether circling the block by `turn` radians from `angle` passes an obstacle block: one close
 * enough to the block to stand in the way of the circling mass, lying in the swept directions.
 */
function arcBlocked(b: BlockState, radius: number, angle: number, turn: number, obstacles: Point[]): boolean {
  return obstacles.some((o) => {
    if (Math.hypot(o.x - b.bx, o.y - b.by) > radius + MASS_CLEARANCE) return false;
    const ahead = Math.sign(turn) * (Math.atan2(o.y - b.by, o.x - b.bx) - angle);
    return ((ahead % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI) < Math.abs(turn);
  });
}

function wrapAngle(a: number): number {
  return Math.atan2(Math.sin(a), Math.cos(a));
}

/** Full speed (scaled by gain) toward a point, slowing in the last 0.1. */
function towards(mx: number, my: number, tx: number, ty: number, gain = 1): Float64Array {
  const ex = tx - mx;
  const ey = ty - my;
  const n = Math.hypot(ex, ey);
  const s = (gain * Math.min(1, n / 0.1)) / (n || 1);
  return Float64Array.of(ex * s, ey * s);
}

/** Bends an action away from blocks the mass should not touch. */
function avoid(mx: number, my: number, action: Float64Array, obstacles: Point[], clearance = 0.75): Float64Array {
  let ax = action[0]!;
  let ay = action[1]!;
  for (const o of obstacles) {
    const rx = mx - o.x;
    const ry = my - o.y;
    const d = Math.hypot(rx, ry);
    if (d < clearance + 0.2) {
      const push = (clearance + 0.2 - d) / 0.2;
      ax += (rx / d) * push;
      ay += (ry / d) * push;
    }
  }
  const n = Math.hypot(ax, ay);
  return n > 1 ? Float64Array.of(ax / n, ay / n) : Float64Array.of(ax, ay);
}
