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
import type { EvalObserver } from "./eval-observer.js";
import { HerLearner, emptyLosses, lossFields, type LossTotals } from "./her-learner.js";
import { MetricsLog } from "./metrics-log.js";
import { createRunDir, readRunConfig, runPaths, type RunPaths } from "./run-dir.js";
import { writeRunPlots } from "./run-plots.js";
import { parseTrainConfig, resolveSacConfig, type TrainConfig } from "./train-config.js";
import { TrainingLoop, initialCounters, type LoopCounters, type RunOptions, type TrainingLoopHooks } from "./training-loop.js";

interface LoopState extends LoopCounters {
  /** Draws the random warm-up actions. */
  actionRng: [number, number, number, number];
}

export class SacHerTrainer {
  /** Sees every evaluation episode (train --serve shows them in the viewer). */
  evalObserver: EvalObserver | null = null;
  private readonly paths: RunPaths;
  private readonly env: GoalEnv;
  private readonly evalEnv: GoalEnv;
  private readonly learner: HerLearner;
  private readonly metrics: MetricsLog;
  private readonly loop: TrainingLoop;
  private readonly actionRng = new Rng(0);
  private state: LoopState;
  private obs: GoalObs | null = null;
  /** Loss sums of the episode under way. */
  private losses: LossTotals = emptyLosses();

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
    this.state = { ...initialCounters(config), actionRng: this.actionRng.state };
    this.loop = new TrainingLoop(config, this.metrics, this.hooks(), `${config.algo} ${config.env}`);
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

  /** Trains on to the budget or `until`: see {@link TrainingLoop.run}. */
  run(options: RunOptions = {}): Promise<void> {
    return this.loop.run(options);
  }

  close(): void {
    this.env.close();
    this.evalEnv.close();
    this.learner.dispose();
  }

  private hooks(): TrainingLoopHooks {
    const { config, learner } = this;
    return {
      counters: () => this.state,
      envStep: () => {
        const obs = this.obs!;
        const action = this.state.step < config.startSteps ? this.env.actionSpace.sample(this.actionRng) : Float64Array.from(learner.act(obs, false));
        const r = this.env.step(action);
        learner.observe(obs, action, r);
        this.obs = r.obs;
        learner.learn(this.losses);
        return { reward: r.reward, done: r.terminated || r.truncated, success: r.info.is_success === true };
      },
      evaluate: (evalSeed) => {
        const e = evaluatePolicy(this.evalEnv, (o) => learner.act(o, true), config.evalEpisodes, evalSeed, this.evalObserver ?? undefined);
        return { "eval/return": e.meanReturn, "eval/success": e.successRate };
      },
      episodeFields: () => {
        const fields = lossFields(this.losses);
        this.losses = emptyLosses();
        return fields;
      },
      checkpoint: () => {
        this.state.actionRng = this.actionRng.state;
        saveCheckpoint(this.paths.checkpoints, {
          step: this.state.step,
          meta: this.state,
          blobs: { ...learner.toBlobs(""), env: this.env.snapshot() },
        });
      },
      nextEpisode: () => {
        this.obs = this.env.reset().obs;
      },
      finish: async () => {
        await learner.agent.save(join(this.paths.root, "policy"));
        writeRunPlots(this.paths.root, `${config.algo} + HER on ${config.env} (seed ${config.seed})`);
      },
    };
  }
}
