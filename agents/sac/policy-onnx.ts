/**
 * `policy.onnx`: a SAC actor as a self-contained ONNX model, the deterministic action
 * act_limit · tanh(mean) of an observation dict. Any ONNX runtime loads it (onnxruntime in
 * Python, onnxruntime-web, Unity); it is what `eval`, `demo` and `collect` act with.
 *
 * Its inputs are the dict's entries by name, each [n, size]; the metadata says the same in
 * `rapier-gym/inputs` (JSON), so a reader needs nothing but the file.
 */
import fs from "node:fs";
import path from "node:path";
import onnxProto from "onnx-proto";
import { writeAtomic } from "../nn/file-io.js";
import { OrtSession, ortTensor } from "../nn/ort-session.js";
import { exportedPolicyGraph, type PolicyInputPart } from "../onnx/policy-graph.js";
import { sacStateEntries } from "../onnx/sac-state-layout.js";
import type { Sac } from "./sac.js";

export type { PolicyInputPart } from "../onnx/policy-graph.js";

export const POLICY_FILE = "policy.onnx";

/** The layout of a goal-conditioned policy's input: observation ‖ desired goal. */
export function goalPolicyInputs(observation: number, desiredGoal: number): PolicyInputPart[] {
  return [
    { key: "observation", size: observation },
    { key: "desired_goal", size: desiredGoal },
  ];
}

/** The model's bytes for `agent`'s actor, reading its input as `parts`. */
export function policyOnnxBytes(agent: Sac, parts: readonly PolicyInputPart[]): Uint8Array {
  const dims = { obsDim: agent.obsDim, actDim: agent.actDim, hidden: agent.config.hidden };
  const flat = agent.getWeights().actor;
  const weights = new Map<string, Float32Array>();
  let offset = 0;
  for (const e of sacStateEntries(dims)) {
    if (e.group !== "actor" || e.name.startsWith("actor_adam/")) continue;
    const size = e.shape.reduce((a, b) => a * b, 1);
    weights.set(e.name, flat.subarray(offset, offset + size));
    offset += size;
  }
  return exportedPolicyGraph(dims, agent.actLimit, parts, weights).toBytes({
    "rapier-gym/format": "policy-v1",
    "rapier-gym/inputs": JSON.stringify(parts),
    "rapier-gym/output": "action = act_limit * tanh(mean), deterministic",
    "rapier-gym/act_limit": JSON.stringify(agent.actLimit),
  });
}

export function writePolicyOnnx(dir: string, agent: Sac, parts: readonly PolicyInputPart[]): void {
  fs.mkdirSync(dir, { recursive: true });
  writeAtomic(path.join(dir, POLICY_FILE), policyOnnxBytes(agent, parts));
}

/** A loaded `policy.onnx`, run by onnxruntime-node. */
export class OnnxPolicy {
  readonly inputs: readonly PolicyInputPart[];
  readonly actDim: number;
  private readonly session: OrtSession;

  constructor(bytes: Uint8Array, what: string) {
    let model: onnxProto.onnx.ModelProto;
    try {
      model = onnxProto.onnx.ModelProto.decode(bytes);
    } catch (error) {
      throw new Error(`${what} is not an ONNX model (${error instanceof Error ? error.message : String(error)})`);
    }
    const meta = new Map((model.metadataProps ?? []).map((p) => [p.key ?? "", p.value ?? ""]));
    if (meta.get("rapier-gym/format") !== "policy-v1")
      throw new Error(`${what} is not a rapier-gym policy (no 'rapier-gym/format: policy-v1' metadata)`);
    this.inputs = JSON.parse(meta.get("rapier-gym/inputs") ?? "[]") as PolicyInputPart[];
    this.actDim = (JSON.parse(meta.get("rapier-gym/act_limit") ?? "[]") as number[]).length;
    this.session = new OrtSession(bytes, 1);
  }

  static load(dir: string): OnnxPolicy {
    const file = path.join(dir, POLICY_FILE);
    return new OnnxPolicy(new Uint8Array(fs.readFileSync(file)), file);
  }

  /** The deterministic action of one observation dict (its entries as named in {@link inputs}). */
  act(obs: Readonly<Record<string, ArrayLike<number>>>): Float32Array {
    const feeds: Record<string, ReturnType<typeof ortTensor>> = {};
    for (const { key, size } of this.inputs) {
      const value = obs[key];
      if (value === undefined || value.length !== size)
        throw new Error(`policy input '${key}' needs ${size} values, got ${value?.length ?? "none"}`);
      feeds[key] = ortTensor(Float32Array.from(value), [1, size]);
    }
    const action = ortTensor(new Float32Array(this.actDim), [1, this.actDim]);
    this.session.run(feeds, { action });
    return action.data as Float32Array;
  }

  dispose(): void {
    this.session.dispose();
  }
}
