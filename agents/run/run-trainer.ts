/**
 * What the flat and the hierarchical trainers have in common around the shared episode loop
 * (training-loop.ts): the run directory, the training and evaluation envs, the metrics log, the
 * warm-up generator, and how a run starts, checkpoints and resumes. A subclass brings the learner:
 * its loop hooks, the blobs it adds to a checkpoint and how it restores them.
 */
import { make, Rng, type EnvMaker, type GoalEnv, type GoalObs } from "../../sim/index.js";
import { resumePoint, saveCheckpoint, type CheckpointBlobs } from "./checkpoint.js";
import type { EvalObserver } from "./eval-observer.js";
import { MetricsLog } from "./metrics-log.js";
import { runPaths, type RunPaths } from "./run-dir.js";
import { TrainingLoop, type LoopCounters, type LoopOptions, type LoopSchedule, type TrainingLoopHooks } from "./training-loop.js";

/** The checkpointed state every trainer has: the loop's place and the warm-up actions' generator. */
export interface RunState extends LoopCounters {
  actionRng: [number, number, number, number];
}

/** The config fields the shared part reads. */
export interface RunConfig extends LoopSchedule {
  env: string;
  envKwargs: Record<string, unknown>;
  seed: number;
}

/** A run whose budget is spent and whose final policy is saved. */
export interface FinishedRun {
  /** The run directory. */
  root: string;
  /** What the run is, as its figures are titled. */
  title: string;
}

export interface RunOptions extends LoopOptions {
  /**
   * Called at the end of the run, after the final policy: the CLI draws the run's plots here, so
   * that agents/ depends on no reporting code.
   */
  onFinish?: (run: FinishedRun) => void;
}

export abstract class RunTrainer<State extends RunState, Config extends RunConfig> {
  /** Sees every evaluation episode (train --serve shows them in the viewer). */
  evalObserver: EvalObserver | null = null;
  protected readonly paths: RunPaths;
  protected readonly env: GoalEnv;
  protected readonly evalEnv: GoalEnv;
  protected readonly metrics: MetricsLog;
  /** Draws the random warm-up actions. */
  protected readonly actionRng = new Rng(0);
  protected obs: GoalObs | null = null;
  protected abstract state: State;
  /** Built on the first `run`, once the subclass's learner exists for its hooks. */
  private loop: TrainingLoop | null = null;

  protected constructor(
    root: string,
    readonly config: Config,
    makeEnv: EnvMaker = make,
  ) {
    this.paths = runPaths(root);
    this.env = makeEnv(config.env, config.envKwargs);
    this.evalEnv = makeEnv(config.env, config.envKwargs);
    this.metrics = new MetricsLog(this.paths.metrics);
    this.actionRng.reseed(config.seed + 2);
  }

  get step(): number {
    return this.state.step;
  }

  /** Trains on to the budget or `until`: see {@link TrainingLoop.run}. */
  async run(options: RunOptions = {}): Promise<void> {
    this.loop ??= new TrainingLoop(this.config, this.metrics, this.hooks(), this.label());
    if (await this.loop.run(options)) options.onFinish?.({ root: this.paths.root, title: this.title() });
  }

  close(): void {
    this.env.close();
    this.evalEnv.close();
    this.dispose();
  }

  /** The loop's view of this trainer: what a step, an evaluation, a row and a checkpoint are. */
  protected abstract hooks(): TrainingLoopHooks;
  /** The progress bar's label. */
  protected abstract label(): string;
  /** The title of the run's figures. */
  protected abstract title(): string;
  /** Frees the learner's tensors. */
  protected abstract dispose(): void;

  /** The first episode of a new run. */
  protected begin(): void {
    this.obs = this.env.reset({ seed: this.config.seed }).obs;
  }

  /**
   * Continues from the latest complete checkpoint, or begins again when there is none. `restore`
   * loads the learner's blobs once `state` holds the checkpoint's.
   */
  protected resumeFromCheckpoint(restore: (blobs: CheckpointBlobs) => void): void {
    const checkpoint = resumePoint(this.paths.checkpoints);
    if (checkpoint === null) {
      this.metrics.truncateAfter(-1);
      this.begin();
      return;
    }
    this.state = checkpoint.meta as State;
    restore(checkpoint);
    this.env.restore(checkpoint.blob("env"));
    this.actionRng.state = this.state.actionRng;
    this.metrics.truncateAfter(this.state.step);
    // Checkpoints are taken at an episode end, before the reset the loop does next.
    this.obs = this.env.reset().obs;
  }

  /** Checkpoints the state, the env and the learner's `blobs`. */
  protected saveRunCheckpoint(blobs: Record<string, Uint8Array>): void {
    this.state.actionRng = this.actionRng.state;
    saveCheckpoint(this.paths.checkpoints, { step: this.state.step, meta: this.state, blobs: { ...blobs, env: this.env.snapshot() } });
  }
}
