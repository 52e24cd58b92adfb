/**
 * The learnt numbers of a SAC agent as plain arrays in the tfjs layouts of this folder: what
 * checkpoints hold and both engines read and write. It lives below agents/sac and agents/onnx
 * because the ONNX state layout (agents/onnx/sac-state-layout.ts) maps onto it too.
 */
import type { AdamState } from "./adam.js";

export interface SacParams {
  actor: Float32Array;
  /** qf1 then qf2. */
  qf: Float32Array;
  qfTarget: Float32Array;
  logAlpha: number;
  actorAdam: AdamState;
  qfAdam: AdamState;
  alphaAdam: AdamState;
}
