/**
 * Behaviour cloning alone (relay learning's pretraining): one Adam step of the actor on a BC
 * loss, the critics untouched; and the loss's value without a step (the validation loss).
 */
import { adamInputs } from "./adam-graph.js";
import { bcLossGraph, type BcGraphKind } from "./bc-loss-graph.js";
import { Graph } from "./graph.js";
import { actorParams, sacStateEntries, type SacDims } from "./sac-state-layout.js";
import { stepNet } from "./sac-update-graph.js";

/** Inputs: the actor's state tensors, its Adam scalars, the BC rows. Outputs: `new/actor...`, `loss` (before the step). */
export function bcStepGraph(d: SacDims, kind: BcGraphKind, actLimit: readonly number[]): Graph {
  const g = new Graph("bc_step");
  for (const e of sacStateEntries(d)) if (e.group === "actor") g.input(e.name, e.shape);
  const actor = actorParams(d);
  const term = bcLossGraph(g, kind, actor, d.obsDim, d.actDim, g.constant(actLimit, [d.actDim]));
  stepNet(g, actor, "actor_adam", term.grads, adamInputs(g, "actor_adam"));
  g.output("loss", term.loss, []);
  return g;
}

/** Inputs: the actor's parameters and the BC rows. Output: `loss`. */
export function bcValueGraph(d: SacDims, kind: BcGraphKind, actLimit: readonly number[]): Graph {
  const g = new Graph("bc_value");
  const actor = actorParams(d);
  for (const e of sacStateEntries(d)) if (e.group === "actor" && !e.name.startsWith("actor_adam/")) g.input(e.name, e.shape);
  g.output("loss", bcLossGraph(g, kind, actor, d.obsDim, d.actDim, g.constant(actLimit, [d.actDim])).loss, []);
  return g;
}
