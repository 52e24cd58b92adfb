/**
 * Frames as they travel, and back. Three things keep a frame small on the wire, so that a
 * PointMassPush frame message fits its 200-byte budget for any positions the env can reach, not
 * only for the ones agents happen to produce (test/server/frame-bytes.test.ts builds that worst
 * case from the env's bounds):
 *
 * - Every number is an integer: positions in millimetres, quaternion components in thousandths,
 *   a scale the protocol fixes (WIRE_SCALE). `-1234` says what `-1.234` says in one character
 *   less, and no digit pattern makes it longer; full float64 digits made a PointMassPush frame
 *   about 410 bytes, and the viewer interpolates between frames anyway, so the lost digits are
 *   invisible. Steps and observations are never scaled: only what is drawn.
 * - A rotation travels with qw ≥ 0: q and -q are the same rotation, and at most three of the four
 *   components then carry a minus sign.
 * - `markers` is an array aligned with the markers of the scene the receiver last got (null where
 *   a marker has no position this frame), not a name-keyed object: the names travel once, in the
 *   scene.
 *
 * In process, `Frame` (sim/physics/scene.ts) stays in metres and keyed by name: a frame is put
 * together from parts that know only their own markers (the env's goals, an agent's subgoal
 * ghosts), and the viewer looks markers up by name. Only the wire needs integers and the scene's
 * order, and only the wire knows which scene its receiver holds, so the conversion lives here, at
 * the two ends of the wire.
 */
import type { Frame, SceneMarker } from "../sim/physics/scene.js";
import type { FrameJSON } from "./messages.js";

/** Wire units per metre (positions) and per unit (quaternion components): millimetres and thousandths. */
export const WIRE_SCALE = 1000;

function toWire(v: number): number {
  // + 0 turns -0 into 0, so that a frame compares equal to one built from plain zeros.
  return Math.round(v * WIRE_SCALE) + 0;
}

/** One body's x, y, z, qx, qy, qz, qw in wire units, the quaternion turned to qw ≥ 0. */
function poseToWire(poses: readonly number[], o: number): number[] {
  const sign = poses[o + 6]! < 0 ? -1 : 1;
  return [...poses.slice(o, o + 3), ...poses.slice(o + 3, o + 7).map((q) => sign * q)].map(toWire);
}

/**
 * `frame` for a receiver that holds a scene with `markers`. A frame marker the scene does not
 * name could never be drawn: that is a bug in whatever built the frame, so it throws.
 */
export function wireFrame(frame: Frame, markers: readonly SceneMarker[]): FrameJSON {
  const positions: FrameJSON["markers"] = markers.map((m) => {
    const p = frame.markers[m.name];
    return p ? [toWire(p[0]), toWire(p[1]), toWire(p[2])] : null;
  });
  const placed = positions.filter((p) => p !== null).length;
  if (placed !== Object.keys(frame.markers).length) {
    const stray = Object.keys(frame.markers).filter((name) => !markers.some((m) => m.name === name));
    throw new Error(
      `frame ${frame.step} has markers the scene does not name: ${stray.join(", ")} (scene markers: ${markers.map((m) => m.name).join(", ") || "none"})`,
    );
  }
  if (frame.poses.length % 7 !== 0) throw new Error(`frame ${frame.step} has ${frame.poses.length} pose numbers, not 7 per body`);
  const poses = Array.from({ length: frame.poses.length / 7 }, (_, b) => poseToWire(frame.poses, 7 * b)).flat();
  return { step: frame.step, poses, markers: positions };
}

/**
 * A wire frame back in process form (metres, markers by name), given the markers of the scene it
 * came after (the viewer's side). A frame event carries the frame's fields itself: pass the event.
 */
export function frameFromWire(wire: FrameJSON, markers: readonly SceneMarker[]): Frame {
  if (wire.markers.length !== markers.length) {
    throw new Error(
      `frame ${wire.step} has ${wire.markers.length} marker positions, but its scene has ${markers.length} markers (${markers.map((m) => m.name).join(", ") || "none"})`,
    );
  }
  const fromWire = (v: number) => v / WIRE_SCALE;
  const named: Frame["markers"] = {};
  wire.markers.forEach((p, i) => {
    if (p) named[markers[i]!.name] = [fromWire(p[0]), fromWire(p[1]), fromWire(p[2])];
  });
  return { step: wire.step, poses: wire.poses.map(fromWire), markers: named };
}
