/**
 * The actor's forward pass in a graph: the action of a sample or of the mean, for acting while
 * training; and the standalone `policy.onnx`, the deterministic actor with its weights inside,
 * which any ONNX runtime can load (onnxruntime in Python, onnxruntime-web, Unity's Sentis).
 */
import { Graph } from "./graph.js";
import { actorParams, sacStateEntries, type SacDims } from "./sac-state-layout.js";
import { policyMode, policySample } from "./squashed-gaussian-graph.js";

/** Inputs: the actor's parameters, `obs` [n, obsDim] and, when sampling, `eps` [n, actDim]. Output: `action`. */
export function actGraph(d: SacDims, actLimit: readonly number[], deterministic: boolean): Graph {
  const g = new Graph(deterministic ? "act_mode" : "act_sample");
  for (const e of sacStateEntries(d)) if (e.group === "actor" && !e.name.startsWith("actor_adam/")) g.input(e.name, e.shape);
  const obs = g.input("obs", ["n", d.obsDim]);
  const limit = g.constant(actLimit, [d.actDim]);
  const actor = actorParams(d);
  const action = deterministic
    ? policyMode(g, actor, obs, limit, d.actDim)
    : policySample(g, actor, obs, g.input("eps", ["n", d.actDim]), limit, d.actDim).action;
  g.output("action", action, ["n", d.actDim]);
  return g;
}

/** One named part of the policy's input, in the order they are concatenated. */
export interface PolicyInputPart {
  key: string;
  size: number;
}

/**
 * The deterministic policy as a self-contained model: one input per part of the observation
 * dict (`observation`, `desired_goal`, ...), each [n, size], concatenated in `parts` order, and
 * the output `action` [n, actDim]. `weights` holds the actor's parameters by name.
 */
export function exportedPolicyGraph(
  d: SacDims,
  actLimit: readonly number[],
  parts: readonly PolicyInputPart[],
  weights: ReadonlyMap<string, Float32Array>,
): Graph {
  const total = parts.reduce((s, p) => s + p.size, 0);
  if (total !== d.obsDim) throw new Error(`policy input parts give ${total} values, the actor takes ${d.obsDim}`);
  const g = new Graph("policy");
  const inputs = parts.map((p) => g.input(p.key, ["n", p.size]));
  const obs = inputs.length === 1 ? inputs[0]! : g.concat(inputs, 1);
  const actor = actorParams(d);
  const named = new Map<string, string>();
  for (const e of sacStateEntries(d)) {
    if (e.group !== "actor" || e.name.startsWith("actor_adam/")) continue;
    named.set(e.name, g.constant([...weights.get(e.name)!], [...e.shape]));
  }
  const frozen = { kernels: actor.kernels.map((k) => named.get(k)!), biases: actor.biases.map((b) => named.get(b)!), twin: false };
  g.output("action", policyMode(g, frozen, obs, g.constant(actLimit, [d.actDim]), d.actDim), ["n", d.actDim]);
  return g;
}
