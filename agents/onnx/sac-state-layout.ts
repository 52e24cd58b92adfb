/**
 * The named tensors an ONNX SAC engine keeps between runs, and their correspondence with
 * {@link SacParams}'s flat arrays (the checkpoint form both engines share): the actor as
 * agents/nn/mlp.ts lays it out; the twin critics stacked per layer ([2, in, out]) where SacParams
 * holds all of qf1 then all of qf2.
 */
import type { SacParams } from "../nn/sac-params.js";
import { mlpParams, mlpShapes, type MlpParams } from "./mlp-graph.js";

/**
 * TQC's critics (Kuznetsov et al. 2020, "truncated quantile critics"): each of the two nets
 * outputs `quantiles` atoms of the return's distribution, and the target pools both nets' atoms
 * and drops the `dropPerNet` largest per net, the truncation that curbs overestimation.
 */
export interface TqcSettings {
  quantiles: number;
  dropPerNet: number;
}

export interface SacDims {
  obsDim: number;
  actDim: number;
  hidden: readonly number[];
  /** TQC's distributional critics; absent or null, SAC's twin scalar critics. */
  tqc?: TqcSettings | null;
}

export type StateGroup = "actor" | "qf" | "alpha";

export interface StateEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly group: StateGroup;
}

export function actorParams(d: SacDims, prefix = "actor"): MlpParams {
  return mlpParams(prefix, d.hidden.length + 1, false);
}

export function qfParams(d: SacDims, prefix = "qf"): MlpParams {
  return mlpParams(prefix, d.hidden.length + 1, true);
}

export function actorSizes(d: SacDims): number[] {
  return [d.obsDim, ...d.hidden, 2 * d.actDim];
}

export function qfSizes(d: SacDims): number[] {
  return [d.obsDim + d.actDim, ...d.hidden, d.tqc?.quantiles ?? 1];
}

/** Every state tensor, in a fixed order: actor, its Adam moments, critics, theirs, targets, alpha. */
export function sacStateEntries(d: SacDims): StateEntry[] {
  const entries: StateEntry[] = [];
  const addNet = (p: MlpParams, shapes: { kernel: number[]; bias: number[] }[], group: StateGroup): void => {
    shapes.forEach((s, i) => {
      entries.push({ name: p.kernels[i]!, shape: s.kernel, group }, { name: p.biases[i]!, shape: s.bias, group });
    });
  };
  const actorShapes = mlpShapes(actorSizes(d), false);
  for (const prefix of ["actor", "actor_adam/m", "actor_adam/v"]) addNet(actorParams(d, prefix), actorShapes, "actor");
  const qfShapes = mlpShapes(qfSizes(d), true);
  for (const prefix of ["qf", "qf_adam/m", "qf_adam/v", "qf_target"]) addNet(qfParams(d, prefix), qfShapes, "qf");
  for (const name of ["log_alpha", "alpha_adam/m", "alpha_adam/v"]) entries.push({ name, shape: [1], group: "alpha" });
  return entries;
}

/** Which SacParams array an entry's values come from. */
type FlatSource =
  "actor" | "qf" | "qfTarget" | "actorAdam.m" | "actorAdam.v" | "qfAdam.m" | "qfAdam.v" | "alphaAdam.m" | "alphaAdam.v" | "logAlpha";

const sourceOfPrefix: Record<string, FlatSource> = {
  actor: "actor",
  "actor_adam/m": "actorAdam.m",
  "actor_adam/v": "actorAdam.v",
  qf: "qf",
  "qf_adam/m": "qfAdam.m",
  "qf_adam/v": "qfAdam.v",
  qf_target: "qfTarget",
  log_alpha: "logAlpha",
  "alpha_adam/m": "alphaAdam.m",
  "alpha_adam/v": "alphaAdam.v",
};

function flatArray(s: SacParams, source: FlatSource): Float32Array {
  switch (source) {
    case "actor":
    case "qf":
    case "qfTarget":
      return s[source];
    case "logAlpha":
      return Float32Array.of(s.logAlpha);
    default: {
      const [opt, moment] = source.split(".") as ["actorAdam" | "qfAdam" | "alphaAdam", "m" | "v"];
      return s[opt][moment];
    }
  }
}

/**
 * Copies between a SacParams's flat arrays and the entries' own arrays (`values`, by entry name):
 * `toEntries` fills `values` from `state`, else `state`'s arrays are filled from `values`.
 */
export function copyState(d: SacDims, values: ReadonlyMap<string, Float32Array>, state: SacParams, toEntries: boolean): void {
  const groups = new Map<FlatSource, StateEntry[]>();
  for (const e of sacStateEntries(d)) {
    const source = sourceOfPrefix[e.name.replace(/\/dense_\d+\/(kernel|bias)$/, "")]!;
    groups.set(source, [...(groups.get(source) ?? []), e]);
  }
  for (const [source, entries] of groups) {
    const flat = flatArray(state, source);
    const twin = entries[0]!.shape.length === 3 && entries[0]!.shape[0] === 2;
    // A twin's flat form is qf1's layers then qf2's: net k's slice of layer i starts at k·half.
    const half = twin ? flat.length / 2 : flat.length;
    let offset = 0;
    for (const e of entries) {
      const tensor = values.get(e.name)!;
      const per = twin ? tensor.length / 2 : tensor.length;
      for (let k = 0; k < (twin ? 2 : 1); k++) {
        const flatPart = flat.subarray(k * half + offset, k * half + offset + per);
        const own = tensor.subarray(k * per, (k + 1) * per);
        if (toEntries) own.set(flatPart);
        else flatPart.set(own);
      }
      offset += per;
    }
    if (source === "logAlpha" && !toEntries) state.logAlpha = flat[0]!;
  }
}
