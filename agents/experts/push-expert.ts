/**
 * The scripted expert for the PointMass push tasks: get behind the block, on the far side from its
 * goal, and push it there; with several blocks, one block at a time. It reads only the
 * observation, so it drives local and remote envs alike, and it is the demo source for relay
 * learning and the physics oracle of the tests.
 */
import type { GoalObs } from "../../sim/core.js";

export interface PushExpertConfig {
  /** A block this close to its goal counts as done; below the env's 0.3 for a margin. */
  placedRadius: number;
  /** Sphere radius + block half-extent: centre distance when the sphere touches a face. */
  contact: number;
  /** Radius at which the mass circles a block to get behind it, clear of its corners (0.7). */
  orbit: number;
}

const DEFAULTS: PushExpertConfig = { placedRadius: 0.12, contact: 0.55, orbit: 0.85 };

/** A block's index, position and goal, read from the observation. */
interface BlockState {
  bx: number;
  by: number;
  gx: number;
  gy: number;
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
    const current = blocks.findIndex((b) => Math.hypot(b.gx - b.bx, b.gy - b.by) > this.config.placedRadius);
    if (current < 0) return new Float64Array(2);
    const others = blocks.filter((_, i) => i !== current);
    return this.push(mx, my, blocks[current]!, others);
  }

  private push(mx: number, my: number, b: BlockState, others: BlockState[]): Float64Array {
    const { contact, orbit } = this.config;
    const ex = b.gx - b.bx;
    const ey = b.gy - b.by;
    const dist = Math.hypot(ex, ey);
    const dx = ex / dist;
    const dy = ey / dist;
    // The mass relative to the block, in the frame of the push direction.
    const rx = mx - b.bx;
    const ry = my - b.by;
    const along = rx * dx + ry * dy;
    const lateral = -rx * dy + ry * dx;
    if (along < -0.4 && Math.abs(lateral) < 0.15 && Math.hypot(rx, ry) < contact + 0.25) {
      // Behind the block and on its line: push through the centre, steering back onto the line.
      const aimX = b.bx + dx * Math.min(dist, 0.5) + dy * lateral * 1.5;
      const aimY = b.by + dy * Math.min(dist, 0.5) - dx * lateral * 1.5;
      return towards(mx, my, aimX, aimY, Math.min(1, (dist + 0.1) / 0.3));
    }
    // Otherwise circle the block at a safe radius until behind it, then close in.
    const angleMass = Math.atan2(ry, rx);
    const angleBehind = Math.atan2(-dy, -dx);
    const error = wrapAngle(angleBehind - angleMass);
    const r = Math.hypot(rx, ry);
    if (Math.abs(error) < 0.3 && r < orbit + 0.4) {
      return avoid(mx, my, towards(mx, my, b.bx - dx * (contact + 0.05), b.by - dy * (contact + 0.05)), others);
    }
    const next = angleMass + Math.max(-0.7, Math.min(0.7, error));
    return avoid(mx, my, towards(mx, my, b.bx + orbit * Math.cos(next), b.by + orbit * Math.sin(next)), others);
  }
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
function avoid(mx: number, my: number, action: Float64Array, obstacles: BlockState[], clearance = 0.75): Float64Array {
  let ax = action[0]!;
  let ay = action[1]!;
  for (const o of obstacles) {
    const rx = mx - o.bx;
    const ry = my - o.by;
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
