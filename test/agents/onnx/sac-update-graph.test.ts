/**
 * The learning graphs of agents/onnx against an independent float64 reference (sac-reference.ts,
 * differentiated by central differences): every loss term's gradient of every graph variant, so
 * that a wrong line of a hand-written backward pass cannot hide behind the engines agreeing with
 * each other (engines-agree.test.ts only compares ORT with tfjs).
 *
 * Gradients are read out of the Adam step: with zero moments and the step scalars of t = 1, the
 * new first moment is (1 - beta1) grad = 0.1 grad. The update's order is followed: the critic loss
 * uses the target nets and the current actor; the actor loss uses the critics *after* their step
 * (the graph's `new/qf/...`, themselves checked against Adam's formula).
 *
 * Not covered: exact ties in min(qf1, qf2) (the graph sends their gradient to qf2; a difference
 * quotient is undefined there), and the log-std clip's lower bound (only the upper one binds here).
 */
import { expect } from "chai";
import { OrtSession, ortTensor, type OrtTensor } from "../../../agents/nn/ort-session.js";
import { adamScalars } from "../../../agents/onnx/adam-graph.js";
import { bcStepGraph, bcValueGraph } from "../../../agents/onnx/bc-step-graph.js";
import type { Graph } from "../../../agents/onnx/graph.js";
import { SAC_METRIC_NAMES, sacUpdateGraph } from "../../../agents/onnx/sac-update-graph.js";
import { Rng } from "../../../sim/core/rng.js";
import {
  actorSizes,
  bcLoss,
  centralDifferences,
  criticLosses,
  criticTargets,
  gaussianRow,
  meanLogProb,
  netEntries,
  qFilterRows,
  qfSizes,
  rlActorLoss,
  row,
  tensor,
  type BcData,
  type BcKind,
  type Hyper,
  type NetDims,
  type Tensors,
  type Transitions,
} from "./sac-reference.js";
import { meanAtom, tqcCriticLosses, tqcTargets } from "./tqc-reference.js";

const OBS = 3;
const ACT = 2;
const LIMIT = [1, 2.5];
const N = 6;
const M = 5;
const HYPER: Hyper = { actLimit: LIMIT, gamma: 0.9, logAlpha: -0.7 };
const POLYAK = 0.8;
const TARGET_ENTROPY = -ACT;
const BC_WEIGHT = 0.7;
/** Distinct rates, so that a graph feeding one optimiser's scalars to another shows; the critics' is large so that the actor loss sees critics clearly moved. */
const LR = { actor_adam: 0.01, qf_adam: 0.05, alpha_adam: 0.02 } as const;
type Optimiser = keyof typeof LR;
/** 1 - beta1: the first moment after one step from zero moments. */
const FIRST_MOMENT_SHARE = 0.1;
const DEPTHS: readonly (readonly number[])[] = [[5], [6, 4]];

interface Feed {
  data: Float32Array;
  dims: number[];
}
type Feeds = Map<string, Feed>;
type Outputs = Map<string, Float32Array>;

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const paramNames = (prefix: string, sizes: readonly number[], twin: boolean): string[] =>
  netEntries(prefix, sizes, twin).map((e) => e.name);
/** `actor/dense_1/kernel` -> `actor_adam/m/dense_1/kernel`; `log_alpha` -> `alpha_adam/m`. */
const momentName = (param: string, optimiser: Optimiser, k: "m" | "v"): string => param.replace(/^[^/]+/, `${optimiser}/${k}`);

/** Every state tensor the graphs take: random nets (targets apart from the critics), zero Adam moments, log alpha. */
function stateFeeds(d: NetDims, rng: Rng): Feeds {
  const feeds: Feeds = new Map();
  const put = (name: string, dims: number[], fill: () => number): void => {
    feeds.set(name, { data: Float32Array.from({ length: size(dims) }, fill), dims });
  };
  const nets: { prefix: string; sizes: number[]; twin: boolean; optimiser: Optimiser | null }[] = [
    { prefix: "actor", sizes: actorSizes(d), twin: false, optimiser: "actor_adam" },
    { prefix: "qf", sizes: qfSizes(d), twin: true, optimiser: "qf_adam" },
    { prefix: "qf_target", sizes: qfSizes(d), twin: true, optimiser: null },
  ];
  for (const net of nets) {
    for (const e of netEntries(net.prefix, net.sizes, net.twin)) {
      const fanIn = e.shape[e.shape.length - 2]!;
      put(e.name, e.shape, e.name.endsWith("kernel") ? () => rng.normal() / Math.sqrt(fanIn) : () => 0.3 * rng.normal());
      if (net.optimiser !== null) for (const k of ["m", "v"] as const) put(momentName(e.name, net.optimiser, k), e.shape, () => 0);
    }
  }
  put("log_alpha", [1], () => HYPER.logAlpha);
  for (const k of ["m", "v"] as const) put(momentName("log_alpha", "alpha_adam", k), [1], () => 0);
  return feeds;
}

/** The batch (rows 0 and 3 terminal; rows 0 and 1 rewarded outside the clipped targets' range), both noise draws, BC rows (two targets on the bound), the term weight and every optimiser's t = 1 scalars. */
function dataFeeds(rng: Rng, bcNoise: boolean): Feeds {
  const feeds: Feeds = new Map();
  const put = (name: string, dims: number[], fill: (i: number) => number): void => {
    feeds.set(name, { data: Float32Array.from({ length: size(dims) }, (_, i) => fill(i)), dims });
  };
  const inBounds = (i: number): number => LIMIT[i % ACT]! * rng.uniform(-0.95, 0.95);
  put("obs", [N, OBS], () => rng.normal());
  put("act", [N, ACT], inBounds);
  // Row 0 (terminal: y = r) below the clipped range's -1/(1 - gamma) = -10, row 1 well above 0.
  put("rew", [N], (i) => (i === 0 ? -14 : i === 1 ? 4 : rng.normal()));
  put("next_obs", [N, OBS], () => rng.normal());
  put("done", [N], (i) => (i % 3 === 0 ? 1 : 0));
  put("eps_next", [N, ACT], () => rng.normal());
  put("eps_cur", [N, ACT], () => rng.normal());
  put("bc_input", [M, OBS], () => rng.normal());
  put("bc_target", [M, ACT], (i) => (i === 0 ? -LIMIT[0]! : i === M * ACT - 1 ? LIMIT[1]! : inBounds(i)));
  put("bc_eps", [M, ACT], () => (bcNoise ? rng.normal() : 0));
  put("bc_weight", [], () => BC_WEIGHT);
  for (const optimiser of Object.keys(LR) as Optimiser[]) {
    const { stepSize, epsHat } = adamScalars(LR[optimiser], 1);
    put(`${optimiser}/step_size`, [], () => stepSize);
    put(`${optimiser}/eps_hat`, [], () => epsHat);
  }
  return feeds;
}

/**
 * Moves the last action dimension's log-std bias so that the clip at LOG_STD_MAX binds on half of
 * the batch's rows and not on the others: the clip's zero gradient is then exercised beside the
 * unclipped one.
 */
function straddleLogStdClip(d: NetDims, feeds: Feeds): void {
  const p = toTensors(feeds);
  const obs = tensor(p, "obs");
  const raw = Array.from({ length: N }, (_, r) => gaussianRow(p, d, row(obs, OBS, r)).rawLogStd[ACT - 1]!).sort((a, b) => a - b);
  const [below, above] = [raw[N / 2 - 1]!, raw[N / 2]!];
  expect(above - below, "log-std spread over the batch").to.be.above(1e-3);
  const lastBias = feeds.get(`actor/dense_${d.hidden.length + 1}/bias`)!.data;
  lastBias[2 * ACT - 1]! += 2 - (below + above) / 2;
}

function fixture(hidden: readonly number[], bcNoise: boolean, tqc: NetDims["tqc"] = null): { d: NetDims; feeds: Feeds } {
  const d: NetDims = { obsDim: OBS, actDim: ACT, hidden, tqc };
  const rng = new Rng(100 + hidden.length);
  const feeds = new Map([...stateFeeds(d, rng), ...dataFeeds(rng, bcNoise)]);
  straddleLogStdClip(d, feeds);
  return { d, feeds };
}

function toTensors(feeds: Feeds): Tensors {
  return new Map([...feeds].map(([name, f]) => [name, Float64Array.from(f.data)]));
}

function transitions(p: Tensors): Transitions {
  const t = (name: string): Float64Array => tensor(p, name);
  return {
    n: N,
    obs: t("obs"),
    act: t("act"),
    rew: t("rew"),
    nextObs: t("next_obs"),
    done: t("done"),
    epsNext: t("eps_next"),
    epsCur: t("eps_cur"),
  };
}

function bcData(p: Tensors): BcData {
  return { m: M, input: tensor(p, "bc_input"), target: tensor(p, "bc_target"), eps: tensor(p, "bc_eps") };
}

/** Runs `graph` once, fed exactly its inputs (every one of which must have a feed), fetching every output. */
function run(graph: Graph, feeds: Feeds): Outputs {
  const session = new OrtSession(graph.toBytes(), 1);
  try {
    const inputs: Record<string, OrtTensor> = {};
    for (const name of session.inputNames) {
      const feed = feeds.get(name);
      if (feed === undefined) throw new Error(`graph input '${name}' has no feed`);
      inputs[name] = ortTensor(feed.data, feed.dims);
    }
    const results = session.run(inputs, Object.fromEntries(session.outputNames.map((name) => [name, null])));
    return new Map(
      Object.entries(results).map(([name, t]) => {
        if (!(t.data instanceof Float32Array)) throw new Error(`output '${name}' is not float32`);
        return [name, t.data];
      }),
    );
  } finally {
    session.dispose();
  }
}

function output(out: Outputs, name: string): Float32Array {
  const values = out.get(name);
  if (values === undefined) throw new Error(`no graph output '${name}'`);
  return values;
}

/** |actual - reference| <= rel |reference| + abs, element by element; the first miss fails with its index. */
function expectClose(actual: ArrayLike<number>, reference: ArrayLike<number>, what: string, rel = 1e-3, abs = 1e-4): void {
  expect(actual.length, `${what}: length`).to.equal(reference.length);
  for (let i = 0; i < reference.length; i++) {
    const bound = rel * Math.abs(reference[i]!) + abs;
    if (!(Math.abs(actual[i]! - reference[i]!) <= bound))
      expect.fail(`${what}[${i}]: graph ${actual[i]}, reference ${reference[i]} (tolerance ${bound.toExponential(2)})`);
  }
}

/** Each parameter's gradient as the graph took it (its new first moment / 0.1) against the reference's. */
function expectGradients(out: Outputs, optimiser: Optimiser, reference: Tensors, what: string): void {
  for (const [name, grad] of reference) {
    const graphGrad = Array.from(output(out, `new/${momentName(name, optimiser, "m")}`), (m) => m / FIRST_MOMENT_SHARE);
    expectClose(graphGrad, grad, `d ${what} / d ${name}`);
  }
}

/**
 * Adam's t = 1 step from zero moments, in float64 from the graph's own moments: v = 0.1 m^2 (both
 * from one gradient) and the new parameter p - step_size m / (sqrt(v) + eps_hat).
 */
function expectAdamSteps(out: Outputs, feeds: Feeds, optimiser: Optimiser, names: readonly string[]): void {
  const { stepSize, epsHat } = adamScalars(LR[optimiser], 1);
  for (const name of names) {
    const m = output(out, `new/${momentName(name, optimiser, "m")}`);
    const v = output(out, `new/${momentName(name, optimiser, "v")}`);
    const param = feeds.get(name)!.data;
    expectClose(
      v,
      Array.from(m, (x) => FIRST_MOMENT_SHARE * x * x),
      `Adam v of ${name}`,
      1e-4,
      1e-12,
    );
    const stepped = Array.from(param, (p, i) => p - (stepSize * m[i]!) / (Math.sqrt(v[i]!) + epsHat));
    expectClose(output(out, `new/${name}`), stepped, `Adam step of ${name}`, 1e-5, 1e-6);
  }
}

interface UpdateVariant {
  hidden: readonly number[];
  /** TQC's critics, or SAC's (null). */
  tqc: NetDims["tqc"];
  learnAlpha: boolean;
  term: BcKind | null;
  /** The BC sample's noise: standard normal (the author's "mse"), or zeros ("mse-mean"). */
  bcNoise: boolean;
  rl: boolean;
  /** SacConfig.clipReturn: the critic targets clipped to [-1/(1 - gamma), 0]. */
  clipReturn: boolean;
  /** The term's rows pass the Q-filter. */
  qFilter: boolean;
}

/** The critics' gradients; returns the reference critic losses (before the step). */
function checkCritics(out: Outputs, d: NetDims, p: Tensors, clipReturn: boolean): ReturnType<typeof criticLosses> {
  const t = transitions(p);
  const hyper = { ...HYPER, clipReturn };
  if (clipReturn) {
    // Both ends of the clip bind: the fixture's rows 0 and 1.
    const unclipped = d.tqc ? tqcTargets(p, d, t, HYPER).flat() : Array.from(criticTargets(p, d, t, HYPER));
    expect(unclipped.some((y) => y > 0) && unclipped.some((y) => y < -1 / (1 - HYPER.gamma)), "unclipped targets on both sides").to.equal(
      true,
    );
  }
  // The targets hold only the target nets and the actor, never the critics being differentiated.
  const losses = d.tqc
    ? (
        (y: number[][]) => () =>
          tqcCriticLosses(p, d, t, y)
      )(tqcTargets(p, d, t, hyper))
    : (
        (y: Float64Array) => () =>
          criticLosses(p, d, t, y)
      )(criticTargets(p, d, t, hyper));
  const loss = (): number => {
    const l = losses();
    return l.qf1Loss + l.qf2Loss;
  };
  expectGradients(out, "qf_adam", centralDifferences(loss, p, paramNames("qf", qfSizes(d), true)), "qf1_loss + qf2_loss");
  return losses();
}

/**
 * The actor's gradients against the stepped critics; returns the reference actor loss, mean log pi, the term's unweighted
 * loss and the share of its rows kept. The Q-filter's rows are fixed before differencing: the mask carries no gradient.
 */
function checkActor(
  out: Outputs,
  v: UpdateVariant,
  d: NetDims,
  p: Tensors,
): { piLoss: number; meanLogProb: number; termLoss: number; termKept: number } {
  const t = transitions(p);
  const stepped: Tensors = new Map(p);
  for (const name of paramNames("qf", qfSizes(d), true)) stepped.set(name, Float64Array.from(output(out, `new/${name}`)));
  const keep = v.qFilter ? qFilterRows(stepped, d, bcData(p), LIMIT, d.tqc ? meanAtom : undefined) : undefined;
  if (keep !== undefined)
    expect(keep.includes(true) && keep.includes(false), `the filter keeps some rows and drops others: ${keep}`).to.equal(true);
  const termLoss = (): number => (v.term === null ? 0 : bcLoss(stepped, d, bcData(p), v.term, LIMIT, keep));
  const loss = (): number => (v.rl ? rlActorLoss(stepped, d, t, HYPER, d.tqc ? meanAtom : undefined) : 0) + BC_WEIGHT * termLoss();
  expectGradients(out, "actor_adam", centralDifferences(loss, stepped, paramNames("actor", actorSizes(d), false)), "actor loss");
  const termKept = v.term === null ? 0 : keep === undefined ? 1 : keep.filter(Boolean).length / keep.length;
  return { piLoss: loss(), meanLogProb: meanLogProb(p, d, t, HYPER), termLoss: termLoss(), termKept };
}

/** d alpha_loss / d log_alpha = -(mean log pi + target entropy) when learned; else alpha's state passes through. */
function checkAlpha(out: Outputs, feeds: Feeds, learnAlpha: boolean, logProb: number): void {
  if (learnAlpha) {
    expectGradients(out, "alpha_adam", new Map([["log_alpha", Float64Array.of(-(logProb + TARGET_ENTROPY))]]), "alpha loss");
    expectAdamSteps(out, feeds, "alpha_adam", ["log_alpha"]);
    return;
  }
  for (const name of ["log_alpha", "alpha_adam/m", "alpha_adam/v"])
    expect(Array.from(output(out, `new/${name}`)), name).to.deep.equal(Array.from(feeds.get(name)!.data));
}

/** target <- polyak target + (1 - polyak) stepped critic, from the graph's own stepped critics. */
function checkPolyak(out: Outputs, d: NetDims, feeds: Feeds): void {
  for (const name of paramNames("qf", qfSizes(d), true)) {
    const targetName = name.replace(/^qf/, "qf_target");
    const online = output(out, `new/${name}`);
    const expected = Array.from(feeds.get(targetName)!.data, (x, i) => POLYAK * x + (1 - POLYAK) * online[i]!);
    expectClose(output(out, `new/${targetName}`), expected, `polyak ${targetName}`, 1e-5, 1e-6);
  }
}

function checkUpdate(v: UpdateVariant): void {
  const { d, feeds } = fixture(v.hidden, v.bcNoise, v.tqc);
  const graph = sacUpdateGraph({
    ...d,
    actLimit: LIMIT,
    gamma: HYPER.gamma,
    polyak: POLYAK,
    learnAlpha: v.learnAlpha,
    targetEntropy: TARGET_ENTROPY,
    term: v.term,
    rl: v.rl,
    targetRange: v.clipReturn ? [-1 / (1 - HYPER.gamma), 0] : null,
    qFilter: v.qFilter,
  });
  const out = run(graph, feeds);
  const p = toTensors(feeds);
  const critic = checkCritics(out, d, p, v.clipReturn);
  expectAdamSteps(out, feeds, "qf_adam", paramNames("qf", qfSizes(d), true));
  const actor = checkActor(out, v, d, p);
  expectAdamSteps(out, feeds, "actor_adam", paramNames("actor", actorSizes(d), false));
  checkAlpha(out, feeds, v.learnAlpha, actor.meanLogProb);
  checkPolyak(out, d, feeds);
  const metrics: Record<(typeof SAC_METRIC_NAMES)[number], number> = {
    ...critic,
    piLoss: actor.piLoss,
    alpha: Math.exp(HYPER.logAlpha),
    alphaLoss: v.learnAlpha ? -HYPER.logAlpha * (actor.meanLogProb + TARGET_ENTROPY) : 0,
    logProb: actor.meanLogProb,
    termLoss: actor.termLoss,
    termKept: actor.termKept,
  };
  expectClose(
    output(out, "metrics"),
    SAC_METRIC_NAMES.map((name) => metrics[name]),
    `metrics (${SAC_METRIC_NAMES.join(", ")})`,
    1e-4,
    1e-5,
  );
}

/** One BC step's loss and gradients, and the value graph's loss, against the reference. */
function checkBc(hidden: readonly number[], kind: BcKind, bcNoise: boolean): void {
  const { d, feeds } = fixture(hidden, bcNoise);
  const p = toTensors(feeds);
  const loss = (): number => bcLoss(p, d, bcData(p), kind, LIMIT);
  const step = run(bcStepGraph(d, kind, LIMIT), feeds);
  const value = run(bcValueGraph(d, kind, LIMIT), feeds);
  expectClose(output(step, "loss"), [loss()], "bc step loss", 1e-4, 1e-5);
  expectClose(output(value, "loss"), [loss()], "bc value loss", 1e-4, 1e-5);
  const actorNames = paramNames("actor", actorSizes(d), false);
  expectGradients(step, "actor_adam", centralDifferences(loss, p, actorNames), `bc ${kind} loss`);
  expectAdamSteps(step, feeds, "actor_adam", actorNames);
}

type TermVariant = { label: string } & Pick<UpdateVariant, "term" | "bcNoise" | "rl" | "clipReturn" | "qFilter">;
const plain = { clipReturn: false, qFilter: false };
const TERMS: readonly TermVariant[] = [
  { label: "no term", term: null, bcNoise: false, rl: true, ...plain },
  { label: "no term, clipped targets", term: null, bcNoise: false, rl: true, clipReturn: true, qFilter: false },
  ...[true, false].flatMap((rl) => [
    { label: `BC sample (mse)${rl ? " + RL" : " alone"}`, term: "sample" as const, bcNoise: true, rl, ...plain },
    { label: `BC sample, zero noise (mse-mean)${rl ? " + RL" : " alone"}`, term: "sample" as const, bcNoise: false, rl, ...plain },
    { label: `BC nll${rl ? " + RL" : " alone"}`, term: "nll" as const, bcNoise: false, rl, ...plain },
  ]),
  { label: "BC sample (mse) + RL, clipped targets", term: "sample", bcNoise: true, rl: true, clipReturn: true, qFilter: false },
  { label: "BC sample (mse) + RL, Q-filtered", term: "sample", bcNoise: true, rl: true, clipReturn: false, qFilter: true },
  { label: "BC nll + RL, Q-filtered", term: "nll", bcNoise: false, rl: true, clipReturn: false, qFilter: true },
];

const BC_KINDS: readonly { label: string; kind: BcKind; bcNoise: boolean }[] = [
  { label: "sample (mse)", kind: "sample", bcNoise: true },
  { label: "sample, zero noise (mse-mean)", kind: "sample", bcNoise: false },
  { label: "nll", kind: "nll", bcNoise: false },
];

/** SAC's twin critics under every term; TQC's (5 atoms per net, 2 dropped: 6 of 10 kept) with and without one. */
const CRITICS: readonly { label: string; tqc: NetDims["tqc"]; terms: typeof TERMS }[] = [
  { label: "SAC", tqc: null, terms: TERMS },
  {
    label: "TQC",
    tqc: { quantiles: 5, dropPerNet: 2 },
    terms: TERMS.filter((t) =>
      ["no term", "no term, clipped targets", "BC sample (mse) + RL", "BC sample (mse) + RL, Q-filtered"].includes(t.label),
    ),
  },
];

describe("ONNX learning graphs against a float64 reference (central differences)", () => {
  for (const hidden of DEPTHS) {
    for (const c of CRITICS) {
      for (const learnAlpha of [false, true]) {
        for (const t of c.terms) {
          it(`sacUpdateGraph, ${c.label}, hidden [${hidden.join(", ")}], ${learnAlpha ? "learned" : "fixed"} alpha, ${t.label}: gradients, Adam, polyak, metrics`, () => {
            checkUpdate({ hidden, tqc: c.tqc, learnAlpha, ...t });
          });
        }
      }
    }
    for (const k of BC_KINDS) {
      it(`bcStepGraph and bcValueGraph, hidden [${hidden.join(", ")}], ${k.label}: loss and gradients`, () => {
        checkBc(hidden, k.kind, k.bcNoise);
      });
    }
  }
});
