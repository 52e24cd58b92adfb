/**
 * Flat SAC + HER training, as the seed code's HER.py: one env, one gradient step per env step,
 * hindsight relabelling in the replay buffer. A run lives in a run directory (config.json,
 * metrics.jsonl, checkpoints/, plots/, policy/) and resumes exactly: a checkpoint holds the
 * agent, the optimisers, the buffer, the env and every generator, taken at an episode end, so a
 * resumed run logs the same metrics as one that was never stopped.
 */
import { join, resolve } from "node:path";
import { make, type EnvMaker } from "../../sim/index.js";
import { readDemoFile } from "../demos/demo-file.js";
import { checkDemosFit } from "../demos/demo-set.js";
import { flatBcSupervision } from "../rpl/flat-bc.js";
import { evaluatePolicy } from "../run/evaluate.js";
import { HerLearner, emptyLosses, lossFields, type LossTotals } from "./her-learner.js";
import { createRunDir, readRunConfig } from "../run/run-dir.js";
import { writeRunPlots } from "../train/run-plots.js";
import { parseTrainConfig, resolveSacConfig, type TrainConfig } from "./train-config.js";
import { RunTrainer, type RunState } from "../run/run-trainer.js";
import { initialCounters, type TrainingLoopHooks } from "../run/training-loop.js";

export class SacHerTrainer extends RunTrainer<RunState, TrainConfig> {
  private readonly learner: HerLearner;
  protected state: RunState;
  /** Loss sums of the episode under way. */
  private losses: LossTotals = emptyLosses();

  private constructor(
    root: string,
    config: TrainConfig,
    makeEnv: EnvMaker,
  ) {
    super(root, config, makeEnv);
    this.learner = new HerLearner(this.env, resolveSacConfig(config), config.her, config.steps, config.seed);
    if (config.bc !== undefined) {
      const demos = readDemoFile(config.bc.demos);
      checkDemosFit(demos, this.env, ["obs", "desired_goals", "acts"], config.bc.demos);
      this.learner.supervision = flatBcSupervision(this.learner.agent, demos, { ...config.bc, seed: config.seed + 4 });
    }
    this.state = { ...initialCounters(config), actionRng: this.actionRng.state };
  }

  /** Starts a new run in `root` (which must not hold one). */
  static start(root: string, config: unknown, makeEnv: EnvMaker = make): SacHerTrainer {
    const given = parseTrainConfig(config, "train");
    const parsed = given.bc === undefined ? given : { ...given, bc: { ...given.bc, demos: resolve(given.bc.demos) } };
    // A bad SAC field or demo file fails before the run directory exists.
    resolveSacConfig(parsed);
    if (parsed.bc !== undefined) readDemoFile(parsed.bc.demos);
    createRunDir(root, parsed);
    const trainer = new SacHerTrainer(root, parsed, makeEnv);
    trainer.begin();
    return trainer;
  }

  /** Continues the run in `root` from its latest complete checkpoint (or from the start). */
  static resume(root: string, makeEnv: EnvMaker = make): SacHerTrainer {
    const config = parseTrainConfig(readRunConfig(root), join(root, "config.json"));
    const trainer = new SacHerTrainer(root, config, makeEnv);
    trainer.resumeFromCheckpoint((blob) => trainer.learner.restoreBlobs("", blob));
    return trainer;
  }

  protected label(): string {
    return `${this.config.algo} ${this.config.env}`;
  }

  protected dispose(): void {
    this.learner.dispose();
  }

  protected hooks(): TrainingLoopHooks {
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
      checkpoint: () => this.saveRunCheckpoint(learner.toBlobs("")),
      nextEpisode: () => {
        this.obs = this.env.reset().obs;
      },
      finish: async () => {
        await learner.agent.save(join(this.paths.root, "policy"), learner.policyInputs);
        writeRunPlots(this.paths.root, `${config.algo} + HER on ${config.env} (seed ${config.seed})`);
      },
    };
  }
}
