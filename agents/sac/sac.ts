/**
 * Soft Actor-Critic (Haarnoja et al. 2018) as CleanRL's `sac_continuous_action.py` writes it:
 * twin critics with polyak targets, a tanh-squashed Gaussian actor, fixed or learned alpha.
 * Implementation details: ./README.md.
 *
 * The agent holds the configuration, the noise generator and the update count; its numbers and
 * maths live in an engine (./sac-engine.ts): ONNX Runtime when the active backend is `ort`
 * (agents/nn/backend.ts), else tfjs on its backend. Both read and write the same checkpoints.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../../sim/core/rng.js";
import { ConfigError } from "../config-error.js";
import { learnerEngine, ortThreads } from "../nn/backend.js";
import type { BcLossKind, BcRows } from "../nn/bc-loss.js";
import { fileHandler } from "../nn/file-io.js";
import { Mlp } from "../nn/mlp.js";
import { savePolicyModel } from "../nn/policy-model.js";
import { qfSizes } from "../onnx/sac-state-layout.js";
import { OrtSacEngine } from "./ort-sac-engine.js";
import { writePolicyOnnx, type PolicyInputPart } from "./policy-onnx.js";
import { seedPreset, validateSacConfig, type SacConfig } from "./sac-config.js";
import type { SacParams } from "../nn/sac-params.js";
import type { SacBatch, SacEngine, SacMetrics, SacState, SupervisedTerm } from "./sac-engine.js";
import { TfjsSacEngine } from "./tfjs-sac-engine.js";

export type { SacBatch, SacMetrics, SacState, SupervisedTerm } from "./sac-engine.js";

interface SacFileMetadata {
  obsDim: number;
  actDim: number;
  actLimit: number[];
  config: SacConfig;
  logAlpha: number;
  adamSteps: { actor: number; qf: number; alpha: number };
  rng: [number, number, number, number];
  updates: number;
}

export class Sac {
  readonly obsDim: number;
  readonly actDim: number;
  readonly actLimit: readonly number[];
  readonly config: SacConfig;
  /** Which engine runs this agent's maths. */
  readonly engineName: "ort" | "tfjs";
  /** The actor's layout (tfjs-layers naming), for export. */
  readonly actorNet: Mlp;
  /** Gradient steps taken. */
  updates = 0;

  private readonly rng: Rng;
  private readonly engine: SacEngine;

  /**
   * `actLimit`: the action bound, one number or one per dimension (actions lie in
   * [-actLimit, actLimit]). `seed` fixes the initial weights and every noise draw.
   */
  constructor(obsDim: number, actDim: number, actLimit: number | readonly number[], config: SacConfig = seedPreset, seed = 0) {
    validateSacConfig(config);
    this.obsDim = obsDim;
    this.actDim = actDim;
    this.actLimit = typeof actLimit === "number" ? new Array<number>(actDim).fill(actLimit) : [...actLimit];
    if (this.actLimit.length !== actDim || this.actLimit.some((l) => !(l > 0))) {
      throw new Error(`Sac: actLimit must be positive, one value or ${actDim}, got ${JSON.stringify(actLimit)}`);
    }
    this.config = config;
    this.actorNet = new Mlp([obsDim, ...config.hidden, 2 * actDim]);
    this.rng = new Rng(seed);
    const init = initialParams(this.actorNet, criticNet(obsDim, actDim, config), this.rng, config.alpha);
    this.engineName = learnerEngine();
    if (config.tqc !== null && this.engineName !== "ort") {
      throw new ConfigError(
        `SacConfig.tqc: TQC's critics run on the ONNX Runtime learner only, and this agent's learner is the tfjs fallback (--backend ort, or ONNX Runtime failed to load)`,
      );
    }
    this.engine =
      this.engineName === "ort"
        ? new OrtSacEngine(obsDim, actDim, this.actLimit, config, init, ortThreads())
        : new TfjsSacEngine(obsDim, actDim, this.actLimit, config, init);
  }

  /** Actions for one or more observations (row-major [n * obsDim] in, [n * actDim] out). */
  act(obs: Float32Array, deterministic: boolean): Float32Array {
    const n = rowsOf(obs.length, this.obsDim, "obs");
    return this.engine.act(obs, n, deterministic ? null : this.rng.nextUint32());
  }

  /** Q1 and Q2 of (obs, act) rows, for value maps and diagnostics (never used by the update). */
  qValues(obs: Float32Array, act: Float32Array): { qf1: Float32Array; qf2: Float32Array } {
    const n = rowsOf(obs.length, this.obsDim, "obs");
    if (rowsOf(act.length, this.actDim, "act") !== n)
      throw new Error(`Sac.qValues: ${n} observation rows but ${act.length / this.actDim} action rows`);
    return this.engine.qValues(obs, act, n);
  }

  /** One gradient step of critics, actor and (if learned) alpha, then the polyak target step. */
  update(batch: SacBatch, supervised?: SupervisedTerm): SacMetrics {
    const n = rowsOf(batch.rew.length, 1, "rew");
    for (const [key, width] of [
      ["obs", this.obsDim],
      ["nextObs", this.obsDim],
      ["act", this.actDim],
      ["done", 1],
    ] as const) {
      if (batch[key].length !== n * width)
        throw new Error(`Sac.update: batch.${key} has ${batch[key].length} values, expected ${n * width}`);
    }
    const target = this.rng.nextUint32();
    const actor = this.rng.nextUint32();
    // Drawn only for a term, so that every other update keeps its noise stream.
    const term = supervised !== undefined ? this.rng.nextUint32() : 0;
    const metrics = this.engine.update(batch, n, { target, actor, term }, supervised);
    this.updates += 1;
    return metrics;
  }

  /**
   * One Adam step of the actor on a behaviour-cloning loss alone, the critics untouched (relay
   * learning's pretraining). Returns the loss before the step.
   */
  bcStep(rows: BcRows, loss: BcLossKind): number {
    return this.engine.bcStep(rows, loss, this.rng.nextUint32());
  }

  /** A behaviour-cloning loss at the actor's parameters (a validation loss); no step, no noise drawn from the agent. */
  bcValue(rows: BcRows, loss: BcLossKind, seed: number): number {
    return this.engine.bcValue(rows, loss, seed);
  }

  getWeights(): SacState {
    return { ...this.engine.getParams(), rng: this.rng.state, updates: this.updates };
  }

  setWeights(state: SacState): void {
    const expect = (name: string, got: number, want: number): void => {
      if (got !== want) throw new Error(`Sac.setWeights: ${name} has ${got} values, expected ${want}`);
    };
    const qfSize = 2 * criticNet(this.obsDim, this.actDim, this.config).layout.size;
    expect("actor", state.actor.length, this.actorNet.layout.size);
    expect("qf", state.qf.length, qfSize);
    expect("qfTarget", state.qfTarget.length, qfSize);
    expect("actor Adam moments", state.actorAdam.m.length, this.actorNet.layout.size);
    expect("critic Adam moments", state.qfAdam.m.length, qfSize);
    for (const [name, t] of [
      ["actor", state.actorAdam.t],
      ["critic", state.qfAdam.t],
      ["alpha", state.alphaAdam.t],
    ] as const) {
      if (!Number.isInteger(t) || t < 0) throw new Error(`Sac.setWeights: bad ${name} Adam step count ${t}`);
    }
    this.engine.setParams(state);
    this.rng.state = state.rng;
    this.updates = state.updates;
  }

  /**
   * Writes `dir/policy.onnx` (the deterministic actor, its input the named `inputs`), `dir/model.json`
   * + `dir/weights.bin` (the actor as a tfjs-layers model) and `dir/sac.json` + `dir/sac.bin`
   * (everything {@link Sac.load} needs to resume).
   */
  async save(dir: string, inputs: readonly PolicyInputPart[] = [{ key: "obs", size: this.obsDim }]): Promise<void> {
    const state = this.getWeights();
    writePolicyOnnx(dir, this, inputs);
    await savePolicyModel(dir, this.actorNet, state.actor, {
      obsDim: this.obsDim,
      actDim: this.actDim,
      actLimit: [...this.actLimit],
      output: "mean,logStd",
    });
    const arrays: Record<string, Float32Array> = {
      actor: state.actor,
      qf: state.qf,
      qf_target: state.qfTarget,
      "actor_adam/m": state.actorAdam.m,
      "actor_adam/v": state.actorAdam.v,
      "qf_adam/m": state.qfAdam.m,
      "qf_adam/v": state.qfAdam.v,
      "alpha_adam/m": state.alphaAdam.m,
      "alpha_adam/v": state.alphaAdam.v,
    };
    const named = Object.entries(arrays).map(([name, values]) => ({ name, tensor: tf.tensor1d(values) }));
    const metadata: SacFileMetadata = {
      obsDim: this.obsDim,
      actDim: this.actDim,
      actLimit: [...this.actLimit],
      config: this.config,
      logAlpha: state.logAlpha,
      adamSteps: { actor: state.actorAdam.t, qf: state.qfAdam.t, alpha: state.alphaAdam.t },
      rng: state.rng,
      updates: state.updates,
    };
    try {
      const { data, specs } = await tf.io.encodeWeights(named);
      await fileHandler(dir, "sac").save({
        format: "rapier-gym-sac",
        weightSpecs: specs,
        weightData: data,
        userDefinedMetadata: { ...metadata },
      });
    } finally {
      for (const { tensor } of named) tensor.dispose();
    }
  }

  /** The agent {@link Sac.save} wrote to `dir`, ready to act or to continue training. */
  static async load(dir: string): Promise<Sac> {
    const artifacts = await fileHandler(dir, "sac").load();
    if (artifacts.weightSpecs === undefined || artifacts.weightData === undefined || artifacts.userDefinedMetadata === undefined) {
      throw new Error(`Sac.load: ${dir}/sac.json has no weights or metadata`);
    }
    const meta = artifacts.userDefinedMetadata as unknown as SacFileMetadata;
    const tensors = tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs);
    try {
      const read = (name: string): Float32Array => {
        const t = tensors[name];
        if (t === undefined) throw new Error(`Sac.load: ${dir}/sac.json lacks weight '${name}'`);
        return Float32Array.from(t.dataSync());
      };
      // Files from before TQC and clipReturn lack them: their critics are SAC's, their targets unclipped.
      const config = { ...meta.config, tqc: meta.config.tqc ?? null, clipReturn: meta.config.clipReturn ?? false };
      const agent = new Sac(meta.obsDim, meta.actDim, meta.actLimit, config);
      agent.setWeights({
        actor: read("actor"),
        qf: read("qf"),
        qfTarget: read("qf_target"),
        logAlpha: meta.logAlpha,
        actorAdam: { m: read("actor_adam/m"), v: read("actor_adam/v"), t: meta.adamSteps.actor },
        qfAdam: { m: read("qf_adam/m"), v: read("qf_adam/v"), t: meta.adamSteps.qf },
        alphaAdam: { m: read("alpha_adam/m"), v: read("alpha_adam/v"), t: meta.adamSteps.alpha },
        rng: meta.rng,
        updates: meta.updates,
      });
      return agent;
    } finally {
      for (const t of Object.values(tensors)) t.dispose();
    }
  }

  /** Frees what the engine holds (tensors, sessions). */
  dispose(): void {
    this.engine.dispose();
  }
}

/** One critic net, as the ONNX state lays it out: SAC's outputs Q(s, a), TQC's its M atoms. */
function criticNet(obsDim: number, actDim: number, config: SacConfig): Mlp {
  return new Mlp(qfSizes({ obsDim, actDim, hidden: config.hidden, tqc: config.tqc }));
}

/** PyTorch's default init of the actor and of both critics (qf1 then qf2), targets equal, Adam at zero. */
function initialParams(actorNet: Mlp, qNet: Mlp, rng: Rng, alpha: number): SacParams {
  const actor = actorNet.init(rng);
  const qf = new Float32Array(2 * qNet.layout.size);
  qf.set(qNet.init(rng), 0);
  qf.set(qNet.init(rng), qNet.layout.size);
  const zeros = (size: number): { m: Float32Array; v: Float32Array; t: number } => ({
    m: new Float32Array(size),
    v: new Float32Array(size),
    t: 0,
  });
  return {
    actor,
    qf,
    qfTarget: qf.slice(),
    logAlpha: Math.log(alpha),
    actorAdam: zeros(actor.length),
    qfAdam: zeros(qf.length),
    alphaAdam: zeros(1),
  };
}

function rowsOf(length: number, width: number, name: string): number {
  if (length === 0 || length % width !== 0) throw new Error(`Sac: ${name} length ${length} is not a positive multiple of ${width}`);
  return length / width;
}
