/**
 * Flat SAC + HER training, as the seed code's HER.py: one env, one gradient step per env step,
 * hindsight relabelling in the replay buffer. A run lives in a run directory (config.json,
 * metrics.jsonl, checkpoints/, policy/; the CLI adds plots/) and resumes exactly: a checkpoint
 * holds the agent, the optimisers, the buffer, the env and every generator, taken at an episode
 * end, so a resumed run logs the same metrics as one that was never stopped.
 *
 * A `bc` block with `pretrainSteps` pretrains the actor on BC alone before the first env step,
 * logging rows at `step: 0` (`pretrain/step`, `pretrain/loss`, then `pretrain/eval/return` and
 * `pretrain/eval/success`), as relay learning does; a run stopped before its first checkpoint
 * pretrains again from the start (it is deterministic), and the first checkpoint holds its result.
 */
import { join, resolve } from "node:path";
import { make, type EnvMaker } from "../../sim/index.js";
import { evaluatePolicy } from "../run/evaluate.js";
import { pretrainActor } from "./actor-pretrain.js";
import type { BcSupervision, BcSupervisor } from "./bc-supervisor.js";
import { HerLearner, emptyLosses, lossFields, type LossTotals } from "./her-learner.js";
import type { ShowProgress } from "../run/progress.js";
import { createRunDir, readRunConfig } from "../run/run-dir.js";
import { parseTrainConfig, resolveSacConfig, type TrainConfig } from "./train-config.js";
import { RunTrainer, type RunOptions, type RunState } from "../run/run-trainer.js";
import { EVAL_SEED_BASE, initialCounters, type TrainingLoopHooks } from "../run/training-loop.js";

export class SacHerTrainer extends RunTrainer<RunState, TrainConfig> {
  private readonly learner: HerLearner;
  protected state: RunState;
  /** Loss sums of the episode under way. */
  private losses: LossTotals = emptyLosses();
  private readonly bc: BcSupervision | null = null;
  /** Whether this sitting's actor is past BC pretraining (or has none to do). */
  private pretrained: boolean;

  private constructor(root: string, config: TrainConfig, makeEnv: EnvMaker, bc: BcSupervisor | undefined) {
    super(root, config, makeEnv);
    this.learner = new HerLearner(this.env, resolveSacConfig(config), config.her, config.steps, config.seed);
    if (config.bc !== undefined) {
      this.bc = required(bc).supervise(this.learner.agent, this.env, config.bc, config.seed + 4);
      this.learner.supervision = this.bc.term;
    }
    this.pretrained = (config.bc?.pretrainSteps ?? 0) === 0;
    this.state = { ...initialCounters(config), actionRng: this.actionRng.state };
  }

  /** Starts a new run in `root` (which must not hold one); `bc` serves a config with a `bc` block. */
  static start(root: string, config: unknown, makeEnv: EnvMaker = make, bc?: BcSupervisor): SacHerTrainer {
    const given = parseTrainConfig(config, "train");
    const parsed = given.bc === undefined ? given : { ...given, bc: { ...given.bc, demos: resolve(given.bc.demos) } };
    // A bad SAC field or demo file fails before the run directory exists.
    resolveSacConfig(parsed);
    if (parsed.bc !== undefined) required(bc).check(parsed.bc);
    createRunDir(root, parsed);
    const trainer = new SacHerTrainer(root, parsed, makeEnv, bc);
    trainer.begin();
    return trainer;
  }

  /** Continues the run in `root` from its latest complete checkpoint (or from the start). */
  static resume(root: string, makeEnv: EnvMaker = make, bc?: BcSupervisor): SacHerTrainer {
    const config = parseTrainConfig(readRunConfig(root), join(root, "config.json"));
    const trainer = new SacHerTrainer(root, config, makeEnv, bc);
    trainer.resumeFromCheckpoint((blobs) => {
      trainer.learner.restoreBlobs("", blobs);
      trainer.pretrained = true;
    });
    return trainer;
  }

  /** Pretrains the actor (unless done), then trains on: see {@link RunTrainer.run}. */
  override async run(options: RunOptions = {}): Promise<void> {
    if (!this.pretrained && !(await this.pretrain(options.progress, options.stop))) return;
    await super.run(options);
  }

  /**
   * False when stopped before the end: the actor is then part-trained and unsaved, and the run goes
   * on only by {@link resume}, which pretrains again from the start and drops the rows logged here.
   */
  private async pretrain(progress: ShowProgress | undefined, stop: AbortSignal | undefined): Promise<boolean> {
    const { config, learner } = this;
    const bc = config.bc!;
    const bar = progress?.({ total: bc.pretrainSteps, label: `bc pretrain ${config.env}` }) ?? null;
    const finished = await pretrainActor(
      learner.agent,
      this.bc!.pretrainRows,
      { steps: bc.pretrainSteps, loss: bc.loss },
      (step, loss) => {
        this.metrics.append({ step: 0, episode: 0, "pretrain/step": step, "pretrain/loss": loss });
        bar?.update(step);
      },
      stop,
    );
    bar?.finish();
    if (!finished) return false;
    const e = evaluatePolicy(this.evalEnv, (o) => learner.act(o, true), config.evalEpisodes, EVAL_SEED_BASE);
    this.metrics.append({ step: 0, episode: 0, "pretrain/eval/return": e.meanReturn, "pretrain/eval/success": e.successRate });
    this.pretrained = true;
    return true;
  }

  protected label(): string {
    return `${this.config.algo} ${this.config.env}`;
  }

  protected title(): string {
    return `${this.config.algo} + HER on ${this.config.env} (seed ${this.config.seed})`;
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
        const action =
          this.state.step < config.startSteps ? this.env.actionSpace.sample(this.actionRng) : Float64Array.from(learner.act(obs, false));
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
      finish: () => learner.agent.save(join(this.paths.root, "policy"), learner.policyInputs),
    };
  }
}

/** A run with a `bc` block needs its supervisor. */
function required(bc: BcSupervisor | undefined): BcSupervisor {
  if (bc === undefined) throw new Error("a flat run with a bc block needs a BcSupervisor (agents/rpl/flat-bc.ts: flatBc)");
  return bc;
}
