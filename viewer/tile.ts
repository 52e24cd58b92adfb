/**
 * A tile of the view: one stage, fed either live (a watched session's frames through the
 * interpolator) or from a recording (every frame at hand, shown at the scrubber's time).
 */
import type { Frame, SceneDescription } from "../sim/physics/scene.js";
import { blend, FrameInterpolator, type Blend } from "./frame-interpolator.js";
import { Stage } from "./stage.js";

export interface Viewport {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A played-back episode rests on its last frame this long before it starts again. */
const END_HOLD_S = 1;

interface LiveFeed {
  kind: "live";
  session: number;
  takesGoal: boolean;
  interpolator: FrameInterpolator;
}

interface PlaybackFeed {
  kind: "playback";
  frames: Frame[];
  /** Seconds into the episode. */
  time: number;
  playing: boolean;
}

export class Tile {
  stage: Stage;
  viewport: Viewport = { x: 0, y: 0, width: 1, height: 1 };
  readonly label: HTMLDivElement;

  private constructor(
    readonly key: string,
    description: SceneDescription,
    readonly feed: LiveFeed | PlaybackFeed,
    title: string,
  ) {
    this.stage = new Stage(description);
    this.label = document.createElement("div");
    this.label.className = "tile-label";
    this.label.textContent = title;
  }

  static live(session: number, description: SceneDescription, takesGoal: boolean, title: string): Tile {
    return new Tile(
      `session-${session}`,
      description,
      { kind: "live", session, takesGoal, interpolator: new FrameInterpolator(description.dt) },
      title,
    );
  }

  static playback(key: string, description: SceneDescription, frames: Frame[], title: string): Tile {
    return new Tile(key, description, { kind: "playback", frames, time: 0, playing: true }, title);
  }

  /** A new scene for the same session (the source moved on to another episode's env). */
  rebuild(description: SceneDescription): void {
    this.stage.dispose();
    const old = this.stage;
    this.stage = new Stage(description);
    this.stage.rig.mode = old.rig.mode;
    if (this.feed.kind === "live") this.feed.interpolator = new FrameInterpolator(description.dt);
  }

  /** Frames received (live) or held (playback). */
  get frameCount(): number {
    return this.feed.kind === "live" ? this.feed.interpolator.count : this.feed.frames.length;
  }

  /** Brings the stage to time `now` (ms); `elapsed` is the seconds since the last call. */
  advance(now: number, elapsed: number): void {
    let b: Blend | null;
    if (this.feed.kind === "live") {
      b = this.feed.interpolator.at(now);
    } else {
      const f = this.feed;
      const last = (f.frames.length - 1) * this.stage.description.dt;
      if (f.playing) {
        f.time += elapsed;
        // Hold the last frame a moment, then play the episode again.
        if (f.time > last + END_HOLD_S) f.time = 0;
      }
      const x = Math.min(f.time, last) / this.stage.description.dt;
      const i = Math.min(f.frames.length - 1, Math.floor(x));
      b = blend(f.frames[i]!, f.frames[Math.min(f.frames.length - 1, i + 1)]!, x - i);
    }
    if (b) this.stage.apply(b);
  }

  /** Seconds shown: the time of the last frame at most (the scrubber's range). */
  get shownTime(): number {
    return this.feed.kind === "playback" ? Math.min(this.feed.time, this.duration) : 0;
  }

  get duration(): number {
    return this.feed.kind === "playback" ? (this.feed.frames.length - 1) * this.stage.description.dt : 0;
  }
}
