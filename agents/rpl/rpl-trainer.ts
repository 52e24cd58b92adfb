/**
 * Relay Policy Learning (Gupta et al. 2019) as the post's author ran it (`relay_learning.py`,
 * docs/original-code.md §3.6): BC pretraining of both HAC levels from relay-relabelled demonstrations,
 * an evaluation of the pretrained-only model (the post's E6 table), then HAC finetuning with the
 * BC loss added to every update. The finetuning is {@link HacTrainer} itself, in the same run
 * directory; this class adds the phase before it and the supervision hook.
 *
 * Run directory: HAC's (config.json holds the relay config), plus `pretrained.bin`, the agent
 * right after pretraining and the pretraining's log rows. Pretraining rows are logged at
 * `step: 0` (`pretrain/step`, `pretrain/loss_low`, `pretrain/loss_high`, `pretrain/valid_loss_*`,
 * then `pretrain/eval/return`, `pretrain/eval/success`, `pretrain/eval/reached_once`, and the same
 * three under `pretrain/eval_demo_starts/` from the training demos' own start states): the x-axis
 * counts env steps only (the author's curves added the 10k pretraining steps to it, §5.10).
 *
 * Resume: a run killed during pretraining pretrains again from the start (it is deterministic);
 * after it, `pretrained.bin` restores the agent; after the first checkpoint, HAC's checkpoints
 * do. The relay batches of finetuning are seeded by each level's update count, which the
 * checkpoints hold, so a resumed run draws the same batches as an uninterrupted one.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { make, type EnvMaker } from "../../sim/index.js";
import { packArrays, unpackArrays } from "../buffers/array-pack.js";
import { readDemoFile } from "../demos/demo-file.js";
import { checkDemosFit, demoKeyOf, type DemoKey } from "../demos/demo-set.js";
import { HacTrainer } from "../hac/hac-trainer.js";
import type { RunOptions } from "../run/run-trainer.js";
import { EVAL_SEED_BASE } from "../run/training-loop.js";
import { writeFileAtomic } from "../run/atomic-write.js";
import { MetricsLog, type MetricsRow } from "../run/metrics-log.js";
import type { ShowProgress } from "../run/progress.js";
import { createRunDir, readRunConfig, runPaths } from "../run/run-dir.js";
import { sacStateFromBytes, sacStateToBytes } from "../sac/sac-state-codec.js";
import { evaluatePretrained } from "./evaluate-pretrained.js";
import { pretrainRelay } from "./relay-pretrain.js";
import { splitRelayDemos, type RelayDemos } from "./relay-relabel.js";
import { relaySupervision } from "./relay-supervision.js";
import { hacTrainConfigOf, parseRplTrainConfig, type RplTrainConfig } from "./rpl-config.js";
import { ConfigError } from "../config-error.js";

const PRETRAINED_FORMAT = "rapier-gym-rpl-pretrained/1";

export class RplTrainer {
  private readonly pretrainedPath: string;
  private readonly metrics: MetricsLog;
  private readonly train: RelayDemos;
  private readonly validation: RelayDemos;

  private constructor(
    root: string,
    readonly config: RplTrainConfig,
    readonly hac: HacTrainer,
    private pretrained: boolean,
  ) {
    this.pretrainedPath = join(root, "pretrained.bin");
    this.metrics = new MetricsLog(runPaths(root).metrics);
    ({ train: this.train, validation: this.validation } = loadRelayDemos(config));
    const { relay, hac: hacConfig } = config;
    if (relay.useSupervisionWithRl && relay.supervisionWeight > 0) {
      const supervise = relaySupervision(hac.agent, this.train, {
        replanInterval: hacConfig.replanInterval,
        relative: hacConfig.relativeSubgoals,
        numTrajectories: relay.numTrajectories,
        loss: relay.loss,
        weight: relay.supervisionWeight,
        bcOnlyAbove: !relay.useRlOnHigherLevel,
        seed: config.seed + 7,
      });
      hac.agent.levels.forEach((level, i) => (level.supervision = () => supervise(i)));
    }
  }

  /** Starts a new run in `root` (which must not hold one); the demo path is stored absolute. */
  static start(root: string, config: unknown, makeEnv: EnvMaker = make): RplTrainer {
    const parsed = parseRplTrainConfig(config, "train");
    const absolute = { ...parsed, demos: resolve(parsed.demos) };
    loadRelayDemos(absolute); // a bad demo file fails before the run directory exists
    createRunDir(root, absolute);
    return new RplTrainer(root, absolute, HacTrainer.open(root, hacTrainConfigOf(absolute), makeEnv), false);
  }

  /** Continues the run in `root`: from HAC's latest checkpoint, else from the pretrained agent, else from scratch. */
  static resume(root: string, makeEnv: EnvMaker = make): RplTrainer {
    const config = parseRplTrainConfig(readRunConfig(root), join(root, "config.json"));
    const hac = HacTrainer.resume(root, hacTrainConfigOf(config), makeEnv);
    // Checkpoints are taken at episode ends, so a checkpoint's step is never 0.
    if (hac.step > 0) return new RplTrainer(root, config, hac, true);
    const trainer = new RplTrainer(root, config, hac, false);
    if (existsSync(trainer.pretrainedPath)) trainer.restorePretrained();
    return trainer;
  }

  get step(): number {
    return this.hac.step;
  }

  /**
   * Pretrains (unless done), then finetunes until `config.steps` env steps (or `until`, or the
   * episode end after `stop`; a pretraining stopped midway is left unsaved and begun again).
   */
  async run(options: RunOptions = {}): Promise<void> {
    if (!this.pretrained && !(await this.pretrain(options.progress, options.stop))) return;
    await this.hac.run(options);
  }

  close(): void {
    this.hac.close();
  }

  /** False when stopped before the end. */
  private async pretrain(progress: ShowProgress | undefined, stop: AbortSignal | undefined): Promise<boolean> {
    const { config } = this;
    const { relay } = config;
    const agent = this.hac.agent;
    const rows: MetricsRow[] = [];
    const log = (row: MetricsRow): void => {
      rows.push(row);
      this.metrics.append(row);
    };
    const bar =
      relay.pretrainSteps === 0 ? null : (progress?.({ total: relay.pretrainSteps, label: `rpl pretrain ${config.env}` }) ?? null);
    const finished = await pretrainRelay(
      agent,
      this.train,
      this.validation,
      {
        steps: relay.pretrainSteps,
        replanInterval: config.hac.replanInterval,
        relative: config.hac.relativeSubgoals,
        numTrajectories: relay.numTrajectories,
        loss: relay.loss,
        validateEvery: relay.validateEvery,
        seed: config.seed + 5,
      },
      (p) => {
        log({
          step: 0,
          episode: 0,
          "pretrain/step": p.step,
          "pretrain/loss_low": p.lossLow,
          "pretrain/loss_high": p.lossHigh,
          ...(p.validLossLow !== undefined
            ? { "pretrain/valid_loss_low": p.validLossLow, "pretrain/valid_loss_high": p.validLossHigh! }
            : {}),
        });
        bar?.update(p.step);
      },
      stop,
    );
    bar?.finish();
    if (!finished) return false;
    if (relay.pretrainEvalEpisodes > 0) log(this.pretrainedEvalRow());
    const blobs = Object.fromEntries(agent.levels.map((l, i) => [`sac_l${i}`, sacStateToBytes(l.agent.getWeights())]));
    writeFileAtomic(this.pretrainedPath, packArrays({ format: PRETRAINED_FORMAT, rows }, blobs));
    this.pretrained = true;
    return true;
  }

  /** The pretrained-only model's log row: on fresh start states and on the training demos' own. */
  private pretrainedEvalRow(): MetricsRow {
    const { config, train } = this;
    const agent = this.hac.agent;
    const env = make(config.env, config.envKwargs);
    const fresh = evaluatePretrained(
      agent,
      env,
      Array.from({ length: config.relay.pretrainEvalEpisodes }, (_, i) => EVAL_SEED_BASE + i),
    );
    const demoStarts = evaluatePretrained(
      agent,
      env,
      train.episodes.map((e) => train.set.seeds[e]!),
    );
    env.close();
    return {
      step: 0,
      episode: 0,
      "pretrain/eval/return": fresh.meanReturn,
      "pretrain/eval/success": fresh.successRate,
      "pretrain/eval/reached_once": fresh.reachedOnce,
      "pretrain/eval_demo_starts/return": demoStarts.meanReturn,
      "pretrain/eval_demo_starts/success": demoStarts.successRate,
      "pretrain/eval_demo_starts/reached_once": demoStarts.reachedOnce,
    };
  }

  /** Puts the agent back as pretraining left it, and its log rows back in metrics.jsonl. */
  private restorePretrained(): void {
    const { meta, arrays } = unpackArrays(readFileSyncChecked(this.pretrainedPath));
    const file = meta as { format?: string; rows?: MetricsRow[] };
    if (file.format !== PRETRAINED_FORMAT || !Array.isArray(file.rows))
      throw new Error(`${this.pretrainedPath} is not a ${PRETRAINED_FORMAT} file`);
    for (const [i, level] of this.hac.agent.levels.entries()) {
      const bytes = arrays.get(`sac_l${i}`);
      if (!(bytes instanceof Uint8Array)) throw new Error(`${this.pretrainedPath} lacks level ${i}`);
      level.agent.setWeights(sacStateFromBytes(bytes));
    }
    for (const row of file.rows) this.metrics.append(row);
    this.pretrained = true;
  }
}

function readFileSyncChecked(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ConfigError(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The run's demo file, checked against its env and split into training and validation episodes. */
function loadRelayDemos(config: RplTrainConfig): { train: RelayDemos; validation: RelayDemos } {
  const set = readDemoFile(config.demos);
  const env = make(config.env, config.envKwargs);
  try {
    const keys: DemoKey[] = ["acts", "obs", "achieved_goals", demoKeyOf(config.hac.subgoalSpace)];
    checkDemosFit(set, env, keys, config.demos);
  } finally {
    env.close();
  }
  return splitRelayDemos(set, config.hac.subgoalSpace, config.relay.trainFraction);
}
