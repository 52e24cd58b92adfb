/** Both critics' values of (obs, act) rows, for value maps and diagnostics (never used by the update); a TQC net's value is the mean of its atoms. */
import { Graph } from "./graph.js";
import { mlpForward } from "./mlp-graph.js";
import { qfParams, sacStateEntries, type SacDims } from "./sac-state-layout.js";

/** Inputs: the critics' parameters, `obs` [n, obsDim], `act` [n, actDim]. Output: `q` [2, n, 1]. */
export function qValuesGraph(d: SacDims): Graph {
  const g = new Graph("q_values");
  for (const e of sacStateEntries(d)) if (e.group === "qf" && /^qf\//.test(e.name)) g.input(e.name, e.shape);
  const x = g.concat([g.input("obs", ["n", d.obsDim]), g.input("act", ["n", d.actDim])], 1);
  g.output("q", g.reduceMean(mlpForward(g, qfParams(d), x).out, [2], true), [2, "n", 1]);
  return g;
}
