/**
 * Frames as they travel, and back. Two things make a frame small on the wire:
 *
 * - Every number is rounded to a millimetre (positions) or a thousandth (quaternion components).
 *   Full float64 digits made a PointMassPush frame about 410 bytes; the viewer interpolates
 *   between frames anyway, so the lost digits are invisible. Steps and observations are never
 *   rounded: only what is drawn.
 * - `markers` is an array aligned with the markers of the scene the receiver last got (null where
 *   a marker has no position this frame), not a name-keyed object: the names travel once, in the
 *   scene. With a hierarchy's two full-state subgoal ghosts, the names were 33 of a PointMassPush
 *   frame message's 219 bytes, and the message budget is 200.
 *
 * In process, `Frame` (sim/physics/scene.ts) stays keyed by name: a frame is put together from
 * parts that know only their own markers (the env's goals, an agent's subgoal ghosts), and the
 * viewer looks markers up by name. Only the wire needs the scene's order, and only the wire knows
 * which scene its receiver holds, so the conversion lives here, at the two ends of the wire.
 */
import type { Frame, SceneMarker } from "../sim/physics/scene.js";
import type { FrameJSON } from "./protocol.js";

const SCALE = 1000;

function round(v: number): number {
  // + 0 turns -0 into 0, which JSON would otherwise spell "-0".
  return Math.round(v * SCALE) / SCALE + 0;
}

/**
 * `frame` for a receiver that holds a scene with `markers`. A frame marker the scene does not
 * name could never be drawn: that is a bug in whatever built the frame, so it throws.
 */
export function wireFrame(frame: Frame, markers: readonly SceneMarker[]): FrameJSON {
  const positions: FrameJSON["markers"] = markers.map((m) => {
    const p = frame.markers[m.name];
    return p ? [round(p[0]), round(p[1]), round(p[2])] : null;
  });
  const placed = positions.filter((p) => p !== null).length;
  if (placed !== Object.keys(frame.markers).length) {
    const stray = Object.keys(frame.markers).filter((name) => !markers.some((m) => m.name === name));
    throw new Error(`frame ${frame.step} has markers the scene does not name: ${stray.join(", ")} (scene markers: ${markers.map((m) => m.name).join(", ") || "none"})`);
  }
  return { step: frame.step, poses: frame.poses.map(round), markers: positions };
}

/** A wire frame back in process form, given the markers of the scene it came after (the viewer's side). */
export function frameFromWire(wire: FrameJSON, markers: readonly SceneMarker[]): Frame {
  if (wire.markers.length !== markers.length) {
    throw new Error(`frame ${wire.step} has ${wire.markers.length} marker positions, but its scene has ${markers.length} markers (${markers.map((m) => m.name).join(", ") || "none"})`);
  }
  const named: Frame["markers"] = {};
  wire.markers.forEach((p, i) => {
    if (p) named[markers[i]!.name] = p;
  });
  return { step: wire.step, poses: wire.poses, markers: named };
}
