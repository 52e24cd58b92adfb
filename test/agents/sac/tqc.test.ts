/**
 * TQC's critics on the Sac agent (the update graph itself is checked against a float64 reference in
 * test/agents/onnx/sac-update-graph.test.ts): it learns, is seeded, saves and loads, refuses bad
 * settings and the tfjs fallback by name, and reads checkpoints written before it existed.
 */
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError } from "../../../agents/config-error.js";
import { selectBackend } from "../../../agents/nn/backend.js";
import { Sac, type SacBatch } from "../../../agents/sac/sac.js";
import { sacConfig, type SacConfig } from "../../../agents/sac/sac-config.js";
import { Rng } from "../../../sim/core/rng.js";

const OBS = 4;
const ACT = 2;
const TQC = { quantiles: 7, dropPerNet: 2 };
const tqcConfig = (overrides: Partial<SacConfig> = {}): SacConfig =>
  sacConfig("sb3", { hidden: [32, 32], batchSize: 16, tqc: TQC, ...overrides });

function randomBatch(n: number, rng: Rng): SacBatch {
  const fill = (len: number): Float32Array => Float32Array.from({ length: len }, () => rng.normal());
  return {
    obs: fill(n * OBS),
    act: Float32Array.from({ length: n * ACT }, () => rng.uniform(-1, 1)),
    rew: fill(n),
    nextObs: fill(n * OBS),
    done: Float32Array.from({ length: n }, () => (rng.random() < 0.2 ? 1 : 0)),
  };
}

describe("agents/sac Sac with TQC's critics", () => {
  before(async () => {
    await selectBackend("ort");
  });

  it("learns a one-step bandit: reward -(a - a*)^2, done every step", () => {
    const target = [0.5, -0.3];
    const agent = new Sac(OBS, ACT, 1, sacConfig("seed", { hidden: [64, 64], batchSize: 64, alpha: 0.01, tqc: TQC }), 0);
    const rng = new Rng(8);
    for (let i = 0; i < 500; i++) {
      const n = 64;
      const act = Float32Array.from({ length: n * ACT }, () => rng.uniform(-1, 1));
      const rew = Float32Array.from({ length: n }, (_, r) => -((act[2 * r]! - target[0]!) ** 2) - (act[2 * r + 1]! - target[1]!) ** 2);
      const obs = new Float32Array(n * OBS);
      agent.update({ obs, act, rew, nextObs: obs, done: new Float32Array(n).fill(1) });
    }
    const a = agent.act(new Float32Array(OBS), true);
    expect(a[0]!).to.be.closeTo(target[0]!, 0.2);
    expect(a[1]!).to.be.closeTo(target[1]!, 0.2);
    // The value (the mean of each net's atoms) near the best action beats that of a far one, near the reward.
    const q = agent.qValues(new Float32Array(2 * OBS), Float32Array.of(...target, -target[0]!, -target[1]!));
    expect(q.qf1[0]!).to.be.above(q.qf1[1]!);
    expect(q.qf1[0]!).to.be.closeTo(0, 0.1);
    agent.dispose();
  });

  it("gives identical weights after N updates from the same seed, critics of 2 × M outputs", () => {
    const run = (seed: number): ReturnType<Sac["getWeights"]> => {
      const agent = new Sac(OBS, ACT, [1, 2], tqcConfig(), seed);
      const rng = new Rng(5);
      for (let i = 0; i < 6; i++) agent.update(randomBatch(16, rng));
      const weights = agent.getWeights();
      agent.dispose();
      return weights;
    };
    const [a, b, c] = [run(3), run(3), run(4)];
    expect(a).to.deep.equal(b);
    expect(Buffer.from(a.qf.buffer).equals(Buffer.from(c.qf.buffer))).to.equal(false);
    // Two nets of (OBS + ACT) -> 32 -> 32 -> M.
    const oneNet = (OBS + ACT) * 32 + 32 + 32 * 32 + 32 + 32 * TQC.quantiles + TQC.quantiles;
    expect(a.qf.length).to.equal(2 * oneNet);
  });

  it("saves and loads: the same TQC agent, the same next update", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tqc-save-"));
    try {
      const rng = new Rng(4);
      const agent = new Sac(OBS, ACT, 1, tqcConfig(), 2);
      for (let i = 0; i < 3; i++) agent.update(randomBatch(16, rng));
      await agent.save(dir);
      const loaded = await Sac.load(dir);
      expect(loaded.config.tqc).to.deep.equal(TQC);
      const batch = randomBatch(16, rng);
      expect(loaded.update(batch)).to.deep.equal(agent.update(batch));
      agent.dispose();
      loaded.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("loads a SAC checkpoint written before TQC existed (its config has no tqc) as SAC", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tqc-old-"));
    try {
      const agent = new Sac(OBS, ACT, 1, sacConfig("seed", { hidden: [16] }), 1);
      await agent.save(dir);
      const file = path.join(dir, "sac.json");
      const json = JSON.parse(fs.readFileSync(file, "utf8")) as { userDefinedMetadata: { config: Record<string, unknown> } };
      delete json.userDefinedMetadata.config.tqc;
      fs.writeFileSync(file, JSON.stringify(json));
      const loaded = await Sac.load(dir);
      expect(loaded.config.tqc).to.equal(null);
      const obs = randomBatch(3, new Rng(2)).obs;
      expect(loaded.act(obs, true)).to.deep.equal(agent.act(obs, true));
      agent.dispose();
      loaded.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  const bad: readonly [string, unknown, RegExp][] = [
    ["no atoms", { quantiles: 0, dropPerNet: 0 }, /quantiles >= 1 and 0 <= dropPerNet < quantiles/],
    ["every atom dropped", { quantiles: 5, dropPerNet: 5 }, /quantiles >= 1 and 0 <= dropPerNet < quantiles/],
    ["a fraction", { quantiles: 2.5, dropPerNet: 1 }, /SacConfig.tqc must be null or \{ quantiles, dropPerNet \}/],
    ["an unknown key", { quantiles: 5, dropPerNet: 1, nets: 3 }, /SacConfig.tqc must be null or/],
    ["not an object", 25, /SacConfig.tqc must be null or/],
  ];
  for (const [what, tqc, message] of bad) {
    it(`refuses settings with ${what}, naming the field`, () => {
      expect(() => sacConfig("sb3", { tqc: tqc as SacConfig["tqc"] }))
        .to.throw(ConfigError)
        .with.property("message")
        .that.matches(message);
    });
  }

  it("refuses the tfjs fallback by name, and SAC still runs there", async () => {
    await selectBackend("wasm");
    try {
      expect(() => new Sac(OBS, ACT, 1, tqcConfig(), 0))
        .to.throw(ConfigError)
        .with.property("message")
        .that.matches(/ONNX Runtime learner only.*tfjs fallback/);
      new Sac(OBS, ACT, 1, tqcConfig({ tqc: null }), 0).dispose();
    } finally {
      await selectBackend("ort");
    }
  });
});
