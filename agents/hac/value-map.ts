/**
 * The post's Q-value figure (docs/original-code.md §3.8): the top level's critic Q1(s ‖ g, subgoal) over
 * an 80×80 grid of point-mass subgoal positions in [-2.5, 2.5]², for one state and goal. With
 * full-state subgoals the mass part is swept and the blocks stay where they are; with relative
 * subgoals each grid point is turned into the offset from the current state.
 */
import type { GoalObs } from "../../sim/core/env.js";
import { policyInput } from "../sac/policy-input.js";
import type { Hac } from "./hac.js";

export interface ValueMap {
  /** Grid points per side. */
  size: number;
  /** The grid spans [-range, range] on x and y; cell (i, j) is x = xs[i], y = ys[j]. */
  range: number;
  xs: number[];
  ys: number[];
  /** Q1 per cell, row-major by y then x: `q[j * size + i]`. */
  q: number[];
  /** Where the point mass, the blocks and the goal are, for drawing. */
  mass: [number, number];
  blocks: [number, number][];
  goal: number[];
}

export function highLevelValueMap(hac: Hac, obs: GoalObs, size = 80, range = 2.5): ValueMap {
  const top = hac.levels[hac.numLevels - 1]!;
  const { subgoalSpace, relativeSubgoals } = hac.config;
  if (subgoalSpace === "achieved_goal")
    throw new Error("the value map sweeps point-mass subgoals; this agent's subgoals are block positions (achieved_goal)");
  const current = obs[subgoalSpace]!;
  const actDim = top.actLimit.length;
  const input = policyInput(obs);
  const n = size * size;
  const inputs = new Float32Array(n * input.length);
  const actions = new Float32Array(n * actDim);
  const xs = Array.from({ length: size }, (_, i) => -range + (2 * range * i) / (size - 1));
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const row = j * size + i;
      inputs.set(input, row * input.length);
      // The mass part is swept; any further part (the blocks of a full-state subgoal) stays put.
      const subgoal = Float64Array.from(current);
      subgoal[0] = xs[i]!;
      subgoal[1] = xs[j]!;
      for (let d = 0; d < actDim; d++) actions[row * actDim + d] = subgoal[d]! - (relativeSubgoals ? current[d]! : hac.subgoalCenter[d]!);
    }
  }
  const { qf1 } = top.agent.qValues(inputs, actions);
  const o = obs.observation;
  const blocks: [number, number][] = [];
  for (let b = 4; b + 1 < o.length; b += 4) blocks.push([o[b]!, o[b + 1]!]);
  return { size, range, xs, ys: xs, q: Array.from(qf1), mass: [o[0]!, o[1]!], blocks, goal: Array.from(obs.desired_goal) };
}

/** The map as an SVG heat map (viridis-like ramp), the mass as an x, blocks as squares, the goal as a dot. */
export function valueMapSvg(map: ValueMap, title: string): string {
  const px = 6;
  const side = map.size * px;
  const pad = 40;
  const lo = Math.min(...map.q);
  const hi = Math.max(...map.q);
  const toX = (x: number) => pad + ((x + map.range) / (2 * map.range)) * side;
  const toY = (y: number) => pad + side - ((y + map.range) / (2 * map.range)) * side;
  const cells: string[] = [];
  for (let j = 0; j < map.size; j++) {
    for (let i = 0; i < map.size; i++) {
      const t = hi > lo ? (map.q[j * map.size + i]! - lo) / (hi - lo) : 0.5;
      cells.push(`<rect x="${pad + i * px}" y="${pad + side - (j + 1) * px}" width="${px}" height="${px}" fill="${ramp(t)}"/>`);
    }
  }
  const blocks = map.blocks.map(([x, y]) => {
    const h = (0.35 / (2 * map.range)) * side;
    return `<rect x="${toX(x) - h}" y="${toY(y) - h}" width="${2 * h}" height="${2 * h}" fill="none" stroke="white" stroke-width="2"/>`;
  });
  const goals: string[] = [];
  for (let g = 0; g + 1 < map.goal.length; g += 2)
    goals.push(`<circle cx="${toX(map.goal[g]!)}" cy="${toY(map.goal[g + 1]!)}" r="6" fill="#e63946" stroke="white"/>`);
  const [mx, my] = [toX(map.mass[0]), toY(map.mass[1])];
  const width = side + 2 * pad + 90;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${side + 2 * pad}" font-family="DejaVu Sans, sans-serif" shape-rendering="crispEdges">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${pad}" y="${pad - 14}" font-size="14">${escapeXml(title)}</text>`,
    ...cells,
    ...blocks,
    ...goals,
    `<path d="M${mx - 7},${my - 7} L${mx + 7},${my + 7} M${mx - 7},${my + 7} L${mx + 7},${my - 7}" stroke="white" stroke-width="3"/>`,
    ...Array.from(
      { length: 11 },
      (_, k) =>
        `<rect x="${side + pad + 20}" y="${pad + (k * side) / 11}" width="20" height="${side / 11 + 1}" fill="${ramp(1 - k / 10)}"/>`,
    ),
    `<text x="${side + pad + 45}" y="${pad + 10}" font-size="12">${hi.toFixed(1)}</text>`,
    `<text x="${side + pad + 45}" y="${pad + side}" font-size="12">${lo.toFixed(1)}</text>`,
    `<text x="${side + pad + 16}" y="${pad + side + 24}" font-size="12">Q1</text>`,
    `<text x="${pad}" y="${pad + side + 24}" font-size="12">${escapeXml(`× point mass   ● goal   □ block   (subgoals over [−${map.range}, ${map.range}]² m)`)}</text>`,
    `</svg>`,
  ].join("\n");
}

/** Dark blue (low) through green to yellow (high), as matplotlib's default colour map. */
function ramp(t: number): string {
  const stops: [number, number, number][] = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ];
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const k = Math.min(stops.length - 2, Math.floor(x));
  const f = x - k;
  const c = stops[k]!.map((v, d) => Math.round(v + f * (stops[k + 1]![d]! - v)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
