/**
 * `rapier-gym train --serve`: the run's evaluation episodes and learning curves in the viewer,
 * while it trains. The server runs in a worker thread (server/serve-worker.ts); here, the
 * trainer's evaluation observer records each evaluation episode as frames and posts it there when
 * it ends. A hierarchy's episodes carry its bottom-level subgoal as ghosts and, on PointMass, the
 * top level's value map at the episode's start.
 */
import { Worker } from "node:worker_threads";
import type { Hac } from "../agents/hac/hac.js";
import type { EvalObserver } from "../agents/run/eval-observer.js";
import type { EvaluationEpisode } from "../server/evaluation-replay.js";
import type { ServeWorkerData, ServeWorkerMessage, ServeWorkerReply } from "../server/serve-worker.js";
import { subgoalGhosts, type SubgoalGhosts } from "../server/subgoal-ghosts.js";
import type { GoalEnv, GoalObs } from "../sim/core/env.js";
import { workerEntry } from "../sim/worker-entry.js";
import { valueMapWire } from "../bridge/live-agents.js";

export class TrainingStream implements EvalObserver {
  /** The hierarchy being trained, if it is one: its subgoals and value map go with each episode. */
  hac: Hac | null = null;
  private episode: EvaluationEpisode | null = null;
  private ghosts: SubgoalGhosts | null = null;
  private lastSeed = -1;
  private evaluation = 0;

  private constructor(
    private readonly worker: Worker,
    readonly url: string,
  ) {}

  static async start(data: ServeWorkerData): Promise<TrainingStream> {
    const [entry, options] = workerEntry(
      new URL(`../server/serve-worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url),
    );
    const worker = new Worker(entry, { ...options, workerData: data });
    const reply = await new Promise<ServeWorkerReply>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    if (reply.type !== "listening")
      throw new Error(`train --serve: the server could not start: ${reply.type === "failed" ? reply.message : reply.type}`);
    return new TrainingStream(worker, reply.url);
  }

  onReset(env: GoalEnv, obs: GoalObs, seed: number): void {
    // An evaluation's episodes have consecutive seeds; any other seed starts the next evaluation.
    if (seed !== this.lastSeed + 1) this.evaluation++;
    this.lastSeed = seed;
    const scene = env.scene();
    const hac = this.hac;
    this.ghosts = hac ? subgoalGhosts(scene, hac.config.subgoalSpace, hac.subgoalDim) : null;
    const pointMass = hac !== null && hac.config.subgoalSpace !== "achieved_goal" && scene.bodies.some((b) => b.name === "agent");
    this.episode = {
      evaluation: this.evaluation,
      scene: { ...scene, markers: [...scene.markers, ...(this.ghosts?.markers ?? [])] },
      frames: [env.frame()],
      valueMap: pointMass ? valueMapWire(hac, obs) : null,
    };
  }

  onStep(env: GoalEnv, _obs: GoalObs, subgoal: Float64Array | null): void {
    const frame = env.frame();
    if (subgoal && this.ghosts) frame.markers = { ...frame.markers, ...this.ghosts.positions(subgoal) };
    this.episode?.frames.push(frame);
  }

  onEpisodeEnd(): void {
    if (this.episode) this.worker.postMessage({ type: "episode", episode: this.episode } satisfies ServeWorkerMessage);
    this.episode = null;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.worker.once("message", () => resolve()));
    this.worker.postMessage({ type: "close" } satisfies ServeWorkerMessage);
    await closed;
    await this.worker.terminate();
  }
}
