/**
 * The Q-filter of Nair et al. 2018 ("Overcoming Exploration in Reinforcement Learning with
 * Demonstrations"): a demo row's BC loss counts only where the critics value the demo's action
 * above the policy's own, Q(s, a_demo) > Q(s, π(s)), so that BC stops pulling wherever the
 * policy has already learnt better than the demonstrator. π(s) is the deterministic action (the
 * paper's policy is DDPG's), and Q is what the actor loss reads: SAC's min(Q1, Q2), TQC's mean
 * atom. The mask is a constant of the loss: no gradient flows through it.
 */
import type { Graph } from "./graph.js";
import { mlpForward, type MlpParams } from "./mlp-graph.js";
import type { SacDims } from "./sac-state-layout.js";
import { policyMode } from "./squashed-gaussian-graph.js";

export interface QFilterNets extends Pick<SacDims, "actDim" | "tqc"> {
  actor: MlpParams;
  /** The critics the actor loss is taken against (the update's new ones). */
  qf: MlpParams;
}

/** The rows (of `input`, `target`) the filter keeps: [m, 1] of 1 where Q(s, a_demo) > Q(s, π(s)), else 0. */
export function qFilterMask(g: Graph, nets: QFilterNets, input: string, target: string, actLimit: string): string {
  const value = (action: string): string => {
    const out = mlpForward(g, nets.qf, g.concat([input, action], 1)).out;
    return nets.tqc
      ? g.op("Unsqueeze", [g.reduceMean(out, [0, 2], false), g.ints([1])])
      : g.op("ReduceMin", [out], { axes: [0], keepdims: 0 });
  };
  const policyAction = policyMode(g, nets.actor, input, actLimit, nets.actDim);
  return g.mask(g.op("Greater", [value(target), value(policyAction)]));
}
