/**
 * What the viewer needs: a scene description sent once, then one small frame per step.
 * Plain data only, so that it travels as JSON.
 */

export type Shape =
  | { kind: "sphere"; radius: number }
  | { kind: "box"; halfExtents: [number, number, number] }
  | { kind: "capsule"; halfHeight: number; radius: number }
  | { kind: "cylinder"; halfHeight: number; radius: number };

export type BodyKind = "fixed" | "dynamic" | "kinematic";

export interface SceneBody {
  name: string;
  kind: BodyKind;
  shape: Shape;
  /** CSS colour, e.g. "#2a9d8f". */
  color: string;
  /** Pose at build time: [x, y, z] and quaternion [x, y, z, w]. */
  position: [number, number, number];
  rotation: [number, number, number, number];
}

/** A marker drawn but never simulated: goals and subgoals. */
export interface SceneMarker {
  name: string;
  shape: Shape;
  color: string;
  opacity: number;
}

export interface SceneDescription {
  env: string;
  /** z is up, as in the simulator. */
  up: "z";
  bodies: SceneBody[];
  markers: SceneMarker[];
  /** Seconds of simulated time per env step: the rate at which frames are meant to play. */
  dt: number;
}

export interface Frame {
  step: number;
  /** Per non-fixed body, in the scene description's order: x, y, z, qx, qy, qz, qw. */
  poses: number[];
  /** Marker name -> position. */
  markers: Record<string, [number, number, number]>;
}
