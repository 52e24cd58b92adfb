/**
 * Flat SAC + HER training, as the seed code's HER.py: one env, one gradient step per env step,
 * hindsight relabelling in the replay buffer. A run lives in a run directory (config.json,
 * metrics.jsonl, checkpoints/, plots/, policy/) and resumes exactly: a checkpoint holds the
 * agent, the optimisers, the buffer, the env and every generator, taken at an episode end, so a
 * resumed run logs the same metrics as one that was never stopped.
 */
import { join, resolve } from "node:path";
import { make, Rng, type EnvMaker, type GoalEnv, type GoalObs } from "../../sim/index.js";
import { readDemoFile } from "../demos/demo-file.js";
import { checkDemosFit } from "../demos/demo-set.js";
import { flatBcSupervision } from "../rpl/flat-bc.js";
import { resumePoint, saveCheckpoint } from "./checkpoint.js";
import { evaluatePolicy } from "./evaluate.js";
import { HerLearner, emptyLosses, lossFields } from "./her-learner.js";
import { MetricsLog, type MetricsRow } from "./metrics-log.js";
import { ProgressBar } from "./progress-bar.js";
import { createRunDir, readRunConfig, runPaths, type RunPaths } from "./run-dir.js";
import { writeRunPlots } from "./run-plots.js";
import { parseTrainConfig, resolveSacConfig, type TrainConfig } from "./train-config.js";

/** Evaluation episodes are seeded from here on, apart from any training seed. */
const EVAL_SEED_BASE = 1_000_000;

interface LoopState {
  step: number;
  episode: number;
  nextEval: number;
  nextCheckpoint: number;
  /** Draws the random warm-up actions. */
  actionRng: [number, number, number, number];
}

export interface TrainerOptions {
  /** Show a progress bar (default: when stderr is a TTY, else plain lines). */
  progress?: boolean;
}

export class SacHerTrainer {
  private readonly paths: RunPaths;
  private readonly env: GoalEnv;
  private readonly evalEnv: GoalEnv;
  private readonly learner: HerLearner;
  private readonly metrics: MetricsLog;
  private readonly actionRng = new Rng(0);
  private state: LoopState;
  private obs: GoalObs | null = null;

  private constructor(
    root: string,
    readonly config: TrainConfig,
    makeEnv: EnvMaker,
  ) {
    this.paths = runPaths(root);
    this.env = makeEnv(config.env, config.envKwargs);
    this.evalEnv = makeEnv(config.env, config.envKwargs);
    this.learner = new HerLearner(this.env, resolveSacConfig(config), config.her, config.steps, config.seed);
    if (config.bc !== undefined) {
      const demos = readDemoFile(config.bc.demos);
      checkDemosFit(demos, this.env, ["obs", "desired_goals", "acts"], config.bc.demos);
      this.learner.supervision = flatBcSupervision(this.learner.agent, demos, { ...config.bc, seed: config.seed + 4 });
    }
    this.metrics = new MetricsLog(this.paths.metrics);
    this.actionRng.reseed(config.seed + 2);
    this.state = { step: 0, episode: 0, nextEval: config.evalEvery, nextCheckpoint: config.checkpointEvery, actionRng: this.actionRng.state };
  }

  /** Starts a new run in `root` (which must not hold one). */
  static start(root: string, config: unknown, makeEnv: EnvMaker = make): SacHerTrainer {
    const given = parseTrainConfig(config, "train");
    const parsed = given.bc === undefined ? given : { ...given, bc: { ...given.bc, demos: resolve(given.bc.demos) } };
    if (parsed.bc !== undefined) readDemoFile(parsed.bc.demos); // a bad demo file fails before the run directory exists
    createRunDir(root, parsed);
    const trainer = new SacHerTrainer(root, parsed, makeEnv);
    trainer.obs = trainer.env.reset({ seed: parsed.seed }).obs;
    return trainer;
  }

  /** Continues the run in `root` from its latest complete checkpoint (or from the start). */
  static resume(root: string, makeEnv: EnvMaker = make): SacHerTrainer {
    const config = parseTrainConfig(readRunConfig(root), join(root, "config.json"));
    const trainer = new SacHerTrainer(root, config, makeEnv);
    const checkpoint = resumePoint(trainer.paths.checkpoints);
    if (checkpoint === null) {
      trainer.metrics.truncateAfter(-1);
      trainer.obs = trainer.env.reset({ seed: config.seed }).obs;
      return trainer;
    }
    const blob = checkpoint.blob;
    trainer.learner.restoreBlobs("", blob);
    trainer.env.restore(blob("env"));
    trainer.state = checkpoint.meta as LoopState;
    trainer.actionRng.state = trainer.state.actionRng;
    trainer.metrics.truncateAfter(trainer.state.step);
    // Checkpoints are taken at an episode end, before the reset the loop does next.
    trainer.obs = trainer.env.reset().obs;
    return trainer;
  }

  get step(): number {
    return this.state.step;
  }

  /**
   * Trains until `config.steps` env steps (or `until`, to stop early as a kill would), logging
   * each episode, evaluating every `evalEvery` steps and checkpointing every `checkpointEvery`.
   */
  async run(options: TrainerOptions & { until?: number } = {}): Promise<void> {
    const { config } = this;
    const until = Math.min(options.until ?? config.steps, config.steps);
    const bar = options.progress === false ? null : new ProgressBar({ total: config.steps, startStep: this.state.step, label: `${config.algo} ${config.env}` });
    let obs = this.obs!;
    let episodeReturn = 0;
    let losses = emptyLosses();
    let lastEval: { return: number; success: number } | null = null;
    const t0 = performance.now();
    const step0 = this.state.step;
    while (this.state.step < until) {
      const action =
        this.state.step < config.startSteps ? this.env.actionSpace.sample(this.actionRng) : Float64Array.from(this.learner.act(obs, false));
      const r = this.env.step(action);
      this.learner.observe(obs, action, r);
      episodeReturn += r.reward;
      obs = r.obs;
      this.state.step++;
      this.learner.learn(losses);
      if (this.state.step >= this.state.nextEval) {
        const e = evaluatePolicy(this.evalEnv, (o) => this.learner.act(o, true), config.evalEpisodes, EVAL_SEED_BASE + this.state.nextEval);
        lastEval = { return: e.meanReturn, success: e.successRate };
        this.metrics.append({ step: this.state.step, episode: this.state.episode, "eval/return": e.meanReturn, "eval/success": e.successRate });
        this.state.nextEval += config.evalEvery;
      }
      if (r.terminated || r.truncated) {
        this.state.episode++;
        const row: MetricsRow = {
          step: this.state.step,
          episode: this.state.episode,
          "train/return": episodeReturn,
          "train/success": r.info.is_success ? 1 : 0,
          "time/steps_per_s": ((this.state.step - step0) * 1000) / (performance.now() - t0),
          ...lossFields(losses),
        };
        this.metrics.append(row);
        bar?.update(this.state.step, { return: episodeReturn, success: lastEval?.success ?? (r.info.is_success ? 1 : 0) });
        episodeReturn = 0;
        losses = emptyLosses();
        if (this.state.step >= this.state.nextCheckpoint) {
          while (this.state.nextCheckpoint <= this.state.step) this.state.nextCheckpoint += config.checkpointEvery;
          this.checkpoint();
        }
        obs = this.env.reset().obs;
      }
    }
    this.obs = obs;
    bar?.finish();
    if (this.state.step >= config.steps) {
      await this.learner.agent.save(join(this.paths.root, "policy"));
      writeRunPlots(this.paths.root, `${config.algo} + HER on ${config.env} (seed ${config.seed})`);
    }
  }

  close(): void {
    this.env.close();
    this.evalEnv.close();
    this.learner.dispose();
  }

  private checkpoint(): void {
    this.state.actionRng = this.actionRng.state;
    saveCheckpoint(this.paths.checkpoints, {
      step: this.state.step,
      meta: this.state,
      blobs: { ...this.learner.toBlobs(""), env: this.env.snapshot() },
    });
  }
}

