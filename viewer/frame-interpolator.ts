/**
 * Frames arrive at the env's control rate (12 Hz for PointMass) and with network jitter; the
 * screen refreshes at 60 Hz. The interpolator keeps the frames of the last moments with the time
 * each arrived and answers "what does the scene look like at time t", t running one and a half
 * control steps behind the newest arrival, so that there is nearly always a later frame to blend
 * toward. Positions blend linearly and rotations by slerp; a step that does not follow its
 * predecessor (a reset, a new goal) is a cut, never blended across.
 */
import { Quaternion, Vector3 } from "three";
import type { Frame } from "../sim/physics/scene.js";

interface Stamped {
  time: number;
  frame: Frame;
}

export interface Pose {
  position: Vector3;
  quaternion: Quaternion;
}

/** The scene at one moment: each moving body's pose and each marker's position. */
export interface Blend {
  poses: Pose[];
  markers: Map<string, Vector3>;
  step: number;
}

export class FrameInterpolator {
  private readonly frames: Stamped[] = [];
  private received = 0;

  /** @param dt seconds per control step (the scene's dt) */
  constructor(private readonly dt: number) {}

  /** Frames received so far. */
  get count(): number {
    return this.received;
  }

  get latest(): Frame | null {
    return this.frames.at(-1)?.frame ?? null;
  }

  push(frame: Frame, now: number): void {
    this.received++;
    this.frames.push({ time: now, frame });
    // Keep what the render time may still need: it lags 1.5 steps, so a few frames suffice.
    while (this.frames.length > 2 && this.frames[1]!.time < now - 4 * this.dt * 1000) this.frames.shift();
  }

  /** The scene as of `now` (ms), or null before the first frame. */
  at(now: number): Blend | null {
    if (this.frames.length === 0) return null;
    const t = now - 1.5 * this.dt * 1000;
    let i = this.frames.length - 1;
    while (i > 0 && this.frames[i]!.time > t) i--;
    const a = this.frames[i]!;
    const b = this.frames[i + 1];
    if (!b || b.frame.step !== a.frame.step + 1) return blend(a.frame, a.frame, 0);
    const span = b.time - a.time;
    return blend(a.frame, b.frame, span > 0 ? Math.min(1, Math.max(0, (t - a.time) / span)) : 1);
  }
}

/** `a` and `b` mixed: `s` = 0 is a, 1 is b. Also what the playback scrubber shows between frames. */
export function blend(a: Frame, b: Frame, s: number): Blend {
  const poses: Pose[] = [];
  const qa = new Quaternion();
  const qb = new Quaternion();
  for (let o = 0; o + 7 <= a.poses.length; o += 7) {
    const p = a.poses;
    const q = b.poses.length === p.length ? b.poses : p;
    const position = new Vector3(p[o]!, p[o + 1]!, p[o + 2]!).lerp(new Vector3(q[o]!, q[o + 1]!, q[o + 2]!), s);
    qa.set(p[o + 3]!, p[o + 4]!, p[o + 5]!, p[o + 6]!).normalize();
    qb.set(q[o + 3]!, q[o + 4]!, q[o + 5]!, q[o + 6]!).normalize();
    poses.push({ position, quaternion: new Quaternion().slerpQuaternions(qa, qb, s) });
  }
  const markers = new Map<string, Vector3>();
  for (const [name, pa] of Object.entries(a.markers)) {
    const pb = b.markers[name] ?? pa;
    markers.set(name, new Vector3(...pa).lerp(new Vector3(...pb), s));
  }
  return { poses, markers, step: s < 0.5 ? a.step : b.step };
}
