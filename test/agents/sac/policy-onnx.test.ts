import { expect } from "chai";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { selectBackend } from "../../../agents/nn/backend.js";
import { OnnxPolicy, POLICY_FILE, goalPolicyInputs } from "../../../agents/sac/policy-onnx.js";
import { Sac } from "../../../agents/sac/sac.js";
import { sacConfig } from "../../../agents/sac/sac-config.js";
import { loadRunPolicy } from "../../../agents/sac/run-policy.js";
import type { GoalObs } from "../../../sim/core/env.js";
import { Rng } from "../../../sim/core/rng.js";
import { findPython, requireTool, type Found } from "../../external-tools.js";

const OBSERVATION = 6;
const GOAL = 3;
const ACT = 2;

function trainedAgent(): Sac {
  const agent = new Sac(OBSERVATION + GOAL, ACT, [0.5, 2], sacConfig("seed", { hidden: [16, 16, 16], batchSize: 8 }), 7);
  const rng = new Rng(1);
  const fill = (k: number): Float32Array => Float32Array.from({ length: k }, () => rng.normal());
  for (let i = 0; i < 5; i++)
    agent.update({
      obs: fill(8 * 9),
      act: fill(16).map((x) => Math.tanh(x)),
      rew: fill(8),
      nextObs: fill(8 * 9),
      done: new Float32Array(8),
    });
  return agent;
}

/** The exported graph holds the weights as constants, which ORT may fuse differently: equal to float32 rounding. */
function expectSameAction(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).to.equal(expected.length);
  expected.forEach((x, i) => expect(actual[i]).to.be.closeTo(x, 1e-6 * Math.max(1, Math.abs(x))));
}

function goalObs(rng: Rng): GoalObs {
  const values = (k: number): Float64Array => Float64Array.from({ length: k }, () => rng.normal());
  return {
    observation: values(OBSERVATION),
    achieved_goal: values(GOAL),
    desired_goal: values(GOAL),
    controllable_achieved_goal: values(2),
    full_positional_state: values(4),
  };
}

describe("agents/sac policy.onnx", () => {
  let dir = "";
  before(async () => {
    await selectBackend("ort");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-onnx-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("is written by save and acts as the agent's deterministic policy, through the public onnxruntime API too", async () => {
    const agent = trainedAgent();
    await agent.save(dir, goalPolicyInputs(OBSERVATION, GOAL));
    const policy = OnnxPolicy.load(dir);
    expect(policy.inputs).to.deep.equal([
      { key: "observation", size: OBSERVATION },
      { key: "desired_goal", size: GOAL },
    ]);
    const session = await ort.InferenceSession.create(path.join(dir, POLICY_FILE));
    expect(session.inputNames).to.deep.equal(["observation", "desired_goal"]);
    expect(session.outputNames).to.deep.equal(["action"]);
    const rng = new Rng(3);
    for (let i = 0; i < 5; i++) {
      const obs = goalObs(rng);
      const expected = agent.act(Float32Array.from([...obs.observation, ...obs.desired_goal]), true);
      expectSameAction(policy.act(obs), expected);
      const out = await session.run({
        observation: new ort.Tensor("float32", Float32Array.from(obs.observation), [1, OBSERVATION]),
        desired_goal: new ort.Tensor("float32", Float32Array.from(obs.desired_goal), [1, GOAL]),
      });
      expectSameAction(out["action"]!.data as Float32Array, expected);
    }
    await session.release();
    policy.dispose();
    agent.dispose();
  });

  it("passes the ONNX project's own checker (Python onnx, full check with shape inference), inputs and metadata as written", function () {
    const python = findPython();
    const withOnnx: Found =
      "path" in python && spawnSync(python.path, ["-c", "import onnx"]).status === 0
        ? python
        : {
            missing:
              "no python3 with the onnx package: install it (Debian/Ubuntu: apt-get install python3-onnx; elsewhere: pip install onnx)",
          };
    const py = requireTool(this, "the policy.onnx checker test", withOnnx);
    const script = [
      "import json, sys, onnx",
      "m = onnx.load(sys.argv[1])",
      "onnx.checker.check_model(m, full_check=True)",
      "print(json.dumps({'inputs': [i.name for i in m.graph.input], 'outputs': [o.name for o in m.graph.output], 'meta': {p.key: p.value for p in m.metadata_props}}))",
    ].join("\n");
    const run = spawnSync(py, ["-c", script, path.join(dir, POLICY_FILE)], { encoding: "utf8" });
    expect(run.status, run.stderr).to.equal(0);
    const seen = JSON.parse(run.stdout) as { inputs: string[]; outputs: string[]; meta: Record<string, string> };
    expect(seen.inputs).to.deep.equal(["observation", "desired_goal"]);
    expect(seen.outputs).to.deep.equal(["action"]);
    expect(JSON.parse(seen.meta["rapier-gym/inputs"]!)).to.deep.equal(goalPolicyInputs(OBSERVATION, GOAL));
    expect(JSON.parse(seen.meta["rapier-gym/act_limit"]!)).to.deep.equal([0.5, 2]);
  });

  it("refuses a wrongly sized input and a model that is not a rapier-gym policy, naming them", () => {
    const policy = OnnxPolicy.load(dir);
    expect(() => policy.act({ observation: new Float64Array(OBSERVATION), desired_goal: new Float64Array(GOAL + 1) })).to.throw(
      /'desired_goal' needs 3 values, got 4/,
    );
    policy.dispose();
    const bogus = path.join(dir, "bogus.onnx");
    fs.writeFileSync(bogus, Uint8Array.of(1, 2, 3));
    expect(() => new OnnxPolicy(new Uint8Array(fs.readFileSync(bogus)), bogus)).to.throw(/bogus.onnx is not an ONNX model/);
  });

  it("is converted in memory from an older run's sac.json, acting the same", async () => {
    const agent = trainedAgent();
    const old = path.join(dir, "old");
    await agent.save(old, goalPolicyInputs(OBSERVATION, GOAL));
    fs.rmSync(path.join(old, POLICY_FILE));
    const policy = await loadRunPolicy(old, GOAL);
    expect([policy.observationSize, policy.goalSize]).to.deep.equal([OBSERVATION, GOAL]);
    const obs = goalObs(new Rng(4));
    expectSameAction(policy.act(obs), agent.act(Float32Array.from([...obs.observation, ...obs.desired_goal]), true));
    policy.dispose();
    agent.dispose();
  });
});
