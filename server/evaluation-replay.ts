/**
 * A training run's evaluation episodes as a live session. Evaluations run as fast as the machine
 * goes, a few seconds every few minutes; the replay shows the newest evaluation's episodes at the
 * env's control rate instead, one after another, and loops them until the next evaluation
 * arrives, so that a watcher always has the current policy to look at, at the speed it acts.
 */
import type { Frame, SceneDescription } from "../sim/physics/scene.js";
import type { LiveSession, LiveSessions } from "./live-sessions.js";
import type { ValueMapJSON } from "../protocol/messages.js";

export interface EvaluationEpisode {
  /** Which evaluation of the run (a count): episodes with the same number form a set. */
  evaluation: number;
  scene: SceneDescription;
  frames: Frame[];
  /** The hierarchy's value map at the episode's start, when it has one. */
  valueMap: ValueMapJSON | null;
}

/** Held on an episode's last frame before the next starts, in control steps. */
const HOLD_STEPS = 12;

export class EvaluationReplay {
  private episodes: EvaluationEpisode[] = [];
  /** Episodes of evaluations newer than the one playing, waiting for its episode to end. */
  private pending: EvaluationEpisode[] = [];
  private live: LiveSession | null = null;
  private episode = 0;
  private t = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly hub: LiveSessions,
    private readonly label: string,
  ) {}

  /** Adds an episode; the first of a newer evaluation replaces the set once the current episode ends. */
  add(episode: EvaluationEpisode): void {
    const current = this.episodes[0]?.evaluation;
    if (current === undefined || episode.evaluation === current) this.episodes.push(episode);
    else this.pending.push(episode);
    if (this.live) return;
    this.live = this.hub.add({
      env: episode.scene.env,
      label: this.label,
      source: "run",
      scene: () => this.current.scene,
      frame: () => this.current.frames[Math.min(this.t, this.current.frames.length - 1)]!,
    });
    this.start();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.live?.end();
  }

  private get current(): EvaluationEpisode {
    return this.episodes[this.episode]!;
  }

  private start(): void {
    this.timer = setInterval(() => this.tick(), this.current.scene.dt * 1000);
    if (this.current.valueMap) this.live!.publishValueMap(this.current.valueMap);
  }

  private tick(): void {
    const live = this.live!;
    this.t++;
    if (this.t < this.current.frames.length) {
      live.publish(this.current.frames[this.t]!);
      return;
    }
    if (this.t < this.current.frames.length + HOLD_STEPS) return;
    // Next episode: of the newer evaluation if one has arrived, else the next of this set, looping.
    const scene = JSON.stringify(this.current.scene);
    if (this.pending.length > 0) {
      const newest = this.pending.at(-1)!.evaluation;
      this.episodes = this.pending.filter((e) => e.evaluation === newest);
      this.pending = [];
      this.episode = 0;
    } else {
      this.episode = (this.episode + 1) % this.episodes.length;
    }
    this.t = 0;
    if (JSON.stringify(this.current.scene) !== scene) live.publishScene();
    if (this.current.valueMap) live.publishValueMap(this.current.valueMap);
    live.publish(this.current.frames[0]!);
  }
}
