/**
 * A finished flat run's final policy, deterministic, ready to act on observation dicts: its
 * `policy/policy.onnx`, which `eval`, `demo` and `collect` run. A run saved before policies
 * travelled as ONNX has only `policy/sac.json`: its actor is converted in memory, so old runs
 * keep working. Without ONNX Runtime (`--backend wasm|cpu` where ORT cannot load), the actor
 * runs on tfjs from sac.json.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { GoalObs } from "../../sim/core/env.js";
import { ConfigError } from "../config-error.js";
import { learnerEngine } from "../nn/backend.js";
import { OnnxPolicy, POLICY_FILE, goalPolicyInputs, policyOnnxBytes } from "./policy-onnx.js";
import { Sac } from "./sac.js";
import { policyInput } from "./policy-input.js";

export interface RunPolicy {
  /** observation ‖ desired goal sizes the policy takes. */
  readonly observationSize: number;
  readonly goalSize: number;
  act(obs: GoalObs): Float32Array;
  dispose(): void;
}

/**
 * The policy in `policyDir`. `goalSize`: the desired goal's size, to split an old run's flat
 * input into the two named inputs of policy.onnx.
 */
export async function loadRunPolicy(policyDir: string, goalSize: number): Promise<RunPolicy> {
  const onnxFile = join(policyDir, POLICY_FILE);
  if (learnerEngine() === "ort" && existsSync(onnxFile)) return fromOnnx(OnnxPolicy.load(policyDir));
  if (!existsSync(join(policyDir, "sac.json"))) throw new ConfigError(`${policyDir} holds no policy (neither ${POLICY_FILE} nor sac.json)`);
  const agent = await Sac.load(policyDir);
  if (learnerEngine() !== "ort") {
    return {
      observationSize: agent.obsDim - goalSize,
      goalSize,
      act: (obs) => agent.act(policyInput(obs), true),
      dispose: () => agent.dispose(),
    };
  }
  const bytes = policyOnnxBytes(agent, goalPolicyInputs(agent.obsDim - goalSize, goalSize));
  agent.dispose();
  return fromOnnx(new OnnxPolicy(bytes, `${policyDir}/sac.json`));
}

function fromOnnx(policy: OnnxPolicy): RunPolicy {
  const size = (key: string): number => policy.inputs.find((p) => p.key === key)?.size ?? 0;
  return {
    observationSize: size("observation"),
    goalSize: size("desired_goal"),
    act: (obs) => policy.act({ observation: obs.observation, desired_goal: obs.desired_goal }),
    dispose: () => policy.dispose(),
  };
}
