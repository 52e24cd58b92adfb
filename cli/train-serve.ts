/**
 * `rapier-gym train --serve`: the run's evaluation episodes and learning curves in the viewer,
 * while it trains. The server runs in a worker thread (server/serve-worker.ts); here, the
 * evaluation env is wrapped so that each evaluation episode is recorded as frames and posted
 * there when it ends. The trainers seed evaluation episodes from 1,000,000 on and their training
 * episodes never so high, which is how the wrapper tells the two apart without the trainers
 * knowing about it. For a HAC run on PointMass, each evaluation episode also carries the top
 * level's value map at its start.
 */
import { Worker } from "node:worker_threads";
import type { Hac } from "../agents/hac/hac.js";
import type { EvaluationEpisode } from "../server/evaluation-replay.js";
import type { ServeWorkerData, ServeWorkerMessage, ServeWorkerReply } from "../server/serve-worker.js";
import { Wrapper, type GoalEnv, type GoalObs, type ResetArgs, type ResetResult, type StepResult } from "../sim/core.js";
import type { Dict } from "../sim/spaces.js";
import { workerEntry } from "../sim/worker-entry.js";
import { make, type EnvMaker } from "../sim/index.js";
import { valueMapWire } from "./live-agents.js";

/** The trainers' first evaluation seed (agents/train: EVAL_SEED_BASE). */
const EVAL_SEED_BASE = 1_000_000;

export class TrainingStream {
  /** The hierarchy being trained, once the trainer exists: its value map goes with each episode. */
  hac: Hac | null = null;

  private constructor(
    private readonly worker: Worker,
    readonly url: string,
  ) {}

  static async start(data: ServeWorkerData): Promise<TrainingStream> {
    const [entry, options] = workerEntry(new URL(`../server/serve-worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url));
    const worker = new Worker(entry, { ...options, workerData: data });
    const reply = await new Promise<ServeWorkerReply>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    if (reply.type !== "listening") throw new Error(`train --serve: the server could not start: ${reply.type === "failed" ? reply.message : reply.type}`);
    return new TrainingStream(worker, reply.url);
  }

  /** `make`, with evaluation episodes streamed. */
  get makeEnv(): EnvMaker {
    return (id, kwargs) => new EvaluationRecorder(make(id, kwargs), this);
  }

  post(episode: EvaluationEpisode): void {
    this.worker.postMessage({ type: "episode", episode } satisfies ServeWorkerMessage);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.worker.once("message", () => resolve()));
    this.worker.postMessage({ type: "close" } satisfies ServeWorkerMessage);
    await closed;
    await this.worker.terminate();
  }
}

/**
 * Records the frames of every episode reset with an evaluation seed and posts it when it ends.
 * An evaluation's episodes have consecutive seeds; a seed that does not follow the last one
 * starts the next evaluation.
 */
class EvaluationRecorder extends Wrapper<GoalObs> implements GoalEnv {
  private episode: EvaluationEpisode | null = null;
  private lastSeed = -1;
  private evaluation = 0;

  constructor(
    private readonly goalEnv: GoalEnv,
    private readonly stream: TrainingStream,
  ) {
    super(goalEnv);
  }

  override get observationSpace(): Dict {
    return this.goalEnv.observationSpace;
  }

  override reset(args: ResetArgs = {}): ResetResult<GoalObs> {
    const r = super.reset(args);
    const seed = args.seed;
    this.episode = null;
    if (seed !== undefined && seed >= EVAL_SEED_BASE) {
      if (seed !== this.lastSeed + 1) this.evaluation++;
      this.lastSeed = seed;
      this.episode = { evaluation: this.evaluation, scene: this.env.scene(), frames: [this.env.frame()], valueMap: this.valueMap(r.obs) };
    }
    return r;
  }

  override step(action: ArrayLike<number>): StepResult<GoalObs> {
    const r = super.step(action);
    if (this.episode) {
      this.episode.frames.push(this.env.frame());
      if (r.terminated || r.truncated) {
        this.stream.post(this.episode);
        this.episode = null;
      }
    }
    return r;
  }

  private valueMap(obs: GoalObs): EvaluationEpisode["valueMap"] {
    const hac = this.stream.hac;
    if (!hac || hac.config.subgoalSpace === "achieved_goal" || !this.env.scene().bodies.some((b) => b.name === "agent")) return null;
    return valueMapWire(hac, obs);
  }
}
