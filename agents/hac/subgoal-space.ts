/**
 * The subgoal space: the observation slice (`subgoalSpace`) in which the levels above the bottom
 * set subgoals, its bound, and the arithmetic that turns a level's output into a subgoal and back.
 */
import type { GoalObs } from "../../sim/core/env.js";
import type { Box } from "../../sim/core/spaces.js";
import { ConfigError } from "../config-error.js";
import type { HacConfig } from "./hac-config.js";

/** Where subgoals may lie: `center ± limit`, per dimension. */
export interface SubgoalBounds {
  /** Middle of the subgoal space, per dimension (`Hac.subgoalCenter`). */
  center: Float64Array;
  /** Half-width about the middle, per dimension (`Hac.subgoalLimit`). */
  limit: Float64Array;
}

/** The bounds `config.subgoalLimit` gives the subgoal space whose Box is `box`. */
export function subgoalBounds(config: HacConfig, box: Box): SubgoalBounds {
  const { subgoalSpace } = config;
  const dim = box.size;
  // A number: that bound about 0. "auto": the author's ENVIRONMENT_BOUNDS, 2.5 about the space's
  // centre, or the space's own half-width where that is tighter. A box: its centre and half-widths.
  const limit = config.subgoalLimit;
  if (typeof limit === "number") return { center: new Float64Array(dim), limit: new Float64Array(dim).fill(limit) };
  if (
    typeof limit === "object" &&
    (limit.low.length !== dim || limit.high.length !== dim || limit.low.some((lo, d) => lo >= limit.high[d]!))
  ) {
    throw new ConfigError(`Hac: subgoalLimit's low and high need ${dim} values each (the ${subgoalSpace} space), each low below its high`);
  }
  const { low, high } = limit === "auto" ? box : limit;
  const center = Float64Array.from(high, (h, d) => (h + low[d]!) / 2);
  if (center.some((c) => !Number.isFinite(c))) {
    throw new Error(`Hac: the ${subgoalSpace} space is unbounded; give subgoalLimit a number`);
  }
  return { center, limit: Float64Array.from(high, (h, d) => (limit === "auto" ? Math.min((h - low[d]!) / 2, 2.5) : (h - low[d]!) / 2)) };
}

/** The subgoal-space slice of an observation (a copy). */
export function subgoalState(obs: GoalObs, config: HacConfig): Float64Array {
  return Float64Array.from(obs[config.subgoalSpace]);
}

/** `v` clipped to ±`limit`, in place. */
export function clip(v: Float64Array, limit: Float64Array): Float64Array {
  for (let d = 0; d < v.length; d++) v[d] = Math.min(limit[d]!, Math.max(-limit[d]!, v[d]!));
  return v;
}

/** `v` clipped to `center ± limit`, per dimension. */
export function clipAbout(v: Float64Array, center: Float64Array, limit: Float64Array): Float64Array {
  for (let d = 0; d < v.length; d++) v[d] = Math.min(center[d]! + limit[d]!, Math.max(center[d]! - limit[d]!, v[d]!));
  return v;
}

export function add(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((x, d) => x + b[d]!);
}

export function sub(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((x, d) => x - b[d]!);
}
