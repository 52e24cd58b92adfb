/**
 * Frames as they travel: every number rounded to a millimetre (positions) or a thousandth
 * (quaternion components). Full float64 digits made a PointMassPush frame about 410 bytes; rounded
 * it is under 200, and the viewer interpolates between frames anyway, so the lost digits are
 * invisible. Steps and observations are never rounded: only what is drawn.
 */
import type { Frame } from "../sim/physics/scene.js";

const SCALE = 1000;

function round(v: number): number {
  // + 0 turns -0 into 0, which JSON would otherwise spell "-0".
  return Math.round(v * SCALE) / SCALE + 0;
}

export function wireFrame(frame: Frame): Frame {
  const markers: Frame["markers"] = {};
  for (const [name, [x, y, z]] of Object.entries(frame.markers)) markers[name] = [round(x), round(y), round(z)];
  return { step: frame.step, poses: frame.poses.map(round), markers };
}
