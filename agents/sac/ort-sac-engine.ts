/**
 * The SAC engine on ONNX Runtime: each operation (update, BC step, act, Q values) is one graph
 * built by agents/onnx and run by one synchronous `run`. The state tensors (weights, Adam
 * moments) live in two preallocated sets of Float32Arrays: a run reads the current set and writes
 * the other in place, then the two swap, so an update allocates no weight-sized memory.
 */
import { FLOAT32_MIN_NORMAL, FLUSH_INTERVAL } from "../nn/adam.js";
import type { BcLossKind, BcRows } from "../nn/bc-loss.js";
import { OrtSession, ortTensor, type OrtTensor } from "../nn/ort-session.js";
import { adamScalars } from "../onnx/adam-graph.js";
import { bcGraphKind } from "../onnx/bc-loss-graph.js";
import { bcStepGraph, bcValueGraph } from "../onnx/bc-step-graph.js";
import type { Graph } from "../onnx/graph.js";
import { actGraph } from "../onnx/policy-graph.js";
import { qValuesGraph } from "../onnx/q-values-graph.js";
import { copyState, sacStateEntries, type SacDims, type StateEntry, type StateGroup } from "../onnx/sac-state-layout.js";
import { SAC_METRIC_NAMES, sacUpdateGraph } from "../onnx/sac-update-graph.js";
import { Rng } from "../../sim/core/rng.js";
import { targetRange, type SacConfig } from "./sac-config.js";
import type { SacParams } from "../nn/sac-params.js";
import { sacMetricsFrom, type SacBatch, type SacEngine, type SacMetrics, type SupervisedTerm, type UpdateSeeds } from "./sac-engine.js";

/** One state tensor's two buffers: `current` is fed, `spare` receives the run's new value. */
interface DoubleBuffer {
  entry: StateEntry;
  current: OrtTensor;
  spare: OrtTensor;
}

type Optimiser = "actor_adam" | "qf_adam" | "alpha_adam";

/** Standard-normal draws from a seed, the ONNX engine's noise (ONNX's RandomNormal has no portable seeding). */
export function fillNormal(out: Float32Array, seed: number): Float32Array {
  const rng = new Rng(seed);
  for (let i = 0; i < out.length; i++) out[i] = rng.normal();
  return out;
}

export class OrtSacEngine implements SacEngine {
  private readonly dims: SacDims;
  private readonly state = new Map<string, DoubleBuffer>();
  private readonly sessions = new Map<string, OrtSession>();
  /** Adam steps taken, per optimiser. */
  private readonly steps: Record<Optimiser, number> = { actor_adam: 0, qf_adam: 0, alpha_adam: 0 };
  private readonly scalars = new Map<string, OrtTensor>();
  private readonly metrics = ortTensor(new Float32Array(SAC_METRIC_NAMES.length), [SAC_METRIC_NAMES.length]);
  private readonly lossOut = ortTensor(new Float32Array(1), []);
  /** Noise arrays, reused across calls of the same size (a relay batch's row count varies). */
  private readonly scratch = new Map<string, Float32Array>();

  constructor(
    obsDim: number,
    private readonly actDim: number,
    private readonly actLimit: readonly number[],
    private readonly config: SacConfig,
    init: SacParams,
    private readonly threads: number,
  ) {
    this.dims = { obsDim, actDim, hidden: config.hidden, tqc: config.tqc };
    for (const entry of sacStateEntries(this.dims)) {
      const size = entry.shape.reduce((a, b) => a * b, 1);
      this.state.set(entry.name, {
        entry,
        current: ortTensor(new Float32Array(size), entry.shape),
        spare: ortTensor(new Float32Array(size), entry.shape),
      });
    }
    for (const name of ["actor_adam", "qf_adam", "alpha_adam"]) {
      for (const part of ["step_size", "eps_hat"]) this.scalars.set(`${name}/${part}`, ortTensor(new Float32Array(1), []));
    }
    this.setParams(init);
  }

  act(obs: Float32Array, n: number, seed: number | null): Float32Array {
    const deterministic = seed === null;
    const session = this.session(deterministic ? "act-mode" : "act-sample", () => actGraph(this.dims, this.actLimit, deterministic));
    const feeds = this.stateFeeds(session);
    feeds.obs = ortTensor(obs, [n, this.dims.obsDim]);
    if (seed !== null) feeds.eps = ortTensor(fillNormal(new Float32Array(n * this.actDim), seed), [n, this.actDim]);
    const action = ortTensor(new Float32Array(n * this.actDim), [n, this.actDim]);
    session.run(feeds, { action });
    return action.data as Float32Array;
  }

  qValues(obs: Float32Array, act: Float32Array, n: number): { qf1: Float32Array; qf2: Float32Array } {
    const session = this.session("q-values", () => qValuesGraph(this.dims));
    const feeds = this.stateFeeds(session);
    feeds.obs = ortTensor(obs, [n, this.dims.obsDim]);
    feeds.act = ortTensor(act, [n, this.actDim]);
    const q = ortTensor(new Float32Array(2 * n), [2, n, 1]);
    session.run(feeds, { q });
    const values = q.data as Float32Array;
    return { qf1: values.slice(0, n), qf2: values.slice(n) };
  }

  update(batch: SacBatch, n: number, seeds: UpdateSeeds, term?: SupervisedTerm): SacMetrics {
    const kind = term === undefined ? null : bcGraphKind(term.loss);
    const rl = term?.rl !== false;
    const qFilter = term?.qFilter === true;
    const { gamma, polyak } = this.config;
    // Alpha tunes the entropy of the policy RL trains: an actor on BC alone gives it nothing to tune,
    // and its entropy, collapsing under BC, would drive alpha up without bound.
    const learnAlpha = this.config.learnAlpha && rl;
    const targetEntropy = this.config.targetEntropy === "auto" ? -this.actDim : this.config.targetEntropy;
    const session = this.session(`update-${kind ?? "none"}-${rl}-${qFilter}`, () =>
      sacUpdateGraph({
        ...this.dims,
        actLimit: this.actLimit,
        gamma,
        polyak,
        learnAlpha,
        targetEntropy,
        term: kind,
        rl,
        targetRange: targetRange(this.config),
        qFilter,
      }),
    );
    const { obsDim, actDim } = this.dims;
    const feeds = this.stateFeeds(session);
    feeds.obs = ortTensor(batch.obs, [n, obsDim]);
    feeds.act = ortTensor(batch.act, [n, actDim]);
    feeds.rew = ortTensor(batch.rew, [n]);
    feeds.next_obs = ortTensor(batch.nextObs, [n, obsDim]);
    feeds.done = ortTensor(batch.done, [n]);
    feeds.eps_next = ortTensor(fillNormal(this.buffer("eps_next", n * actDim), seeds.target), [n, actDim]);
    feeds.eps_cur = ortTensor(fillNormal(this.buffer("eps_cur", n * actDim), seeds.actor), [n, actDim]);
    if (term !== undefined) {
      Object.assign(feeds, this.bcFeeds(term.rows, term.loss, seeds.term));
      feeds.bc_weight = ortTensor(Float32Array.of(term.weight), []);
    }
    const optimisers: Optimiser[] = ["actor_adam", "qf_adam", ...(learnAlpha ? (["alpha_adam"] as const) : [])];
    this.advance(feeds, optimisers);
    session.run(feeds, { ...this.stateFetches(["actor", "qf", "alpha"]), metrics: this.metrics });
    this.swap(["actor", "qf", "alpha"]);
    this.flushIfDue(optimisers);
    return sacMetricsFrom(this.metrics.data as Float32Array);
  }

  bcStep(rows: BcRows, loss: BcLossKind, seed: number): number {
    const kind = bcGraphKind(loss);
    const session = this.session(`bc-step-${kind}`, () => bcStepGraph(this.dims, kind, this.actLimit));
    const feeds = { ...this.stateFeeds(session), ...this.bcFeeds(rows, loss, seed) };
    this.advance(feeds, ["actor_adam"]);
    session.run(feeds, { ...this.stateFetches(["actor"]), loss: this.lossOut });
    this.swap(["actor"]);
    this.flushIfDue(["actor_adam"]);
    return (this.lossOut.data as Float32Array)[0]!;
  }

  bcValue(rows: BcRows, loss: BcLossKind, seed: number): number {
    const kind = bcGraphKind(loss);
    const session = this.session(`bc-value-${kind}`, () => bcValueGraph(this.dims, kind, this.actLimit));
    session.run({ ...this.stateFeeds(session), ...this.bcFeeds(rows, loss, seed) }, { loss: this.lossOut });
    return (this.lossOut.data as Float32Array)[0]!;
  }

  getParams(): SacParams {
    const size = (group: StateGroup, prefix: string): number =>
      sacStateEntries(this.dims)
        .filter((e) => e.group === group && e.name.startsWith(`${prefix}/`))
        .reduce((s, e) => s + e.shape.reduce((a, b) => a * b, 1), 0);
    const actor = size("actor", "actor");
    const qf = size("qf", "qf");
    const params: SacParams = {
      actor: new Float32Array(actor),
      qf: new Float32Array(qf),
      qfTarget: new Float32Array(qf),
      logAlpha: 0,
      actorAdam: { m: new Float32Array(actor), v: new Float32Array(actor), t: this.steps.actor_adam },
      qfAdam: { m: new Float32Array(qf), v: new Float32Array(qf), t: this.steps.qf_adam },
      alphaAdam: { m: new Float32Array(1), v: new Float32Array(1), t: this.steps.alpha_adam },
    };
    copyState(this.dims, this.currentValues(), params, false);
    return params;
  }

  setParams(p: SacParams): void {
    copyState(this.dims, this.currentValues(), p, true);
    this.steps.actor_adam = p.actorAdam.t;
    this.steps.qf_adam = p.qfAdam.t;
    this.steps.alpha_adam = p.alphaAdam.t;
  }

  dispose(): void {
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
  }

  /** The session of `key`, built on first use. */
  private session(key: string, build: () => Graph): OrtSession {
    let s = this.sessions.get(key);
    if (s === undefined) {
      s = new OrtSession(build().toBytes(), this.threads);
      this.sessions.set(key, s);
    }
    return s;
  }

  /** The current state tensors the session takes. */
  private stateFeeds(session: OrtSession): Record<string, OrtTensor> {
    const feeds: Record<string, OrtTensor> = {};
    for (const name of session.inputNames) {
      const buffer = this.state.get(name);
      if (buffer !== undefined) feeds[name] = buffer.current;
    }
    return feeds;
  }

  private stateFetches(groups: readonly StateGroup[]): Record<string, OrtTensor> {
    const fetches: Record<string, OrtTensor> = {};
    for (const [name, b] of this.state) if (groups.includes(b.entry.group)) fetches[`new/${name}`] = b.spare;
    return fetches;
  }

  private swap(groups: readonly StateGroup[]): void {
    for (const b of this.state.values()) {
      if (!groups.includes(b.entry.group)) continue;
      [b.current, b.spare] = [b.spare, b.current];
    }
  }

  /** Counts a step of each optimiser in `optimisers` and feeds every optimiser's scalars. */
  private advance(feeds: Record<string, OrtTensor>, optimisers: readonly Optimiser[]): void {
    const lr: Record<Optimiser, number> = {
      actor_adam: this.config.actorLr,
      qf_adam: this.config.criticLr,
      alpha_adam: this.config.alphaLr,
    };
    for (const name of ["actor_adam", "qf_adam", "alpha_adam"] as const) {
      const t = this.steps[name] + (optimisers.includes(name) ? 1 : 0);
      const { stepSize, epsHat } = adamScalars(lr[name], Math.max(t, 1));
      (this.scalars.get(`${name}/step_size`)!.data as Float32Array)[0] = stepSize;
      (this.scalars.get(`${name}/eps_hat`)!.data as Float32Array)[0] = epsHat;
      feeds[`${name}/step_size`] = this.scalars.get(`${name}/step_size`)!;
      feeds[`${name}/eps_hat`] = this.scalars.get(`${name}/eps_hat`)!;
      this.steps[name] = t;
    }
  }

  /**
   * Zeroes the moments below float32's smallest normal every FLUSH_INTERVAL steps, after the
   * step, as agents/nn/adam.ts does (a dead ReLU's moments otherwise sit among the subnormals,
   * the slow path of every float unit).
   */
  private flushIfDue(optimisers: readonly Optimiser[]): void {
    for (const optimiser of optimisers) {
      if (this.steps[optimiser] % FLUSH_INTERVAL !== 0) continue;
      for (const [name, b] of this.state) {
        if (!name.startsWith(`${optimiser}/`)) continue;
        const values = b.current.data as Float32Array;
        for (let i = 0; i < values.length; i++) if (Math.abs(values[i]!) < FLOAT32_MIN_NORMAL) values[i] = 0;
      }
    }
  }

  private bcFeeds(rows: BcRows, loss: BcLossKind, seed: number): Record<string, OrtTensor> {
    const { obsDim, actDim } = this.dims;
    const m = rows.input.length / obsDim;
    if (!Number.isInteger(m) || m === 0 || rows.target.length !== m * actDim) {
      throw new Error(
        `BC rows: ${rows.input.length} input values and ${rows.target.length} target values do not make rows of ${obsDim} and ${actDim}`,
      );
    }
    const feeds: Record<string, OrtTensor> = {
      bc_input: ortTensor(rows.input, [m, obsDim]),
      bc_target: ortTensor(rows.target, [m, actDim]),
    };
    if (loss !== "nll") {
      const eps = this.buffer("bc_eps", m * actDim);
      feeds.bc_eps = ortTensor(loss === "mse" ? fillNormal(eps, seed) : eps.fill(0), [m, actDim]);
    }
    return feeds;
  }

  /** A scratch array of `size` floats kept under `key`, reallocated only when the size changes. */
  private buffer(key: string, size: number): Float32Array {
    let b = this.scratch.get(key);
    if (b === undefined || b.length !== size) {
      b = new Float32Array(size);
      this.scratch.set(key, b);
    }
    return b;
  }

  private currentValues(): Map<string, Float32Array> {
    return new Map([...this.state].map(([name, b]) => [name, b.current.data as Float32Array]));
  }
}
