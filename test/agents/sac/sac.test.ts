import { expect } from "chai";
import * as tf from "@tensorflow/tfjs-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError } from "../../../agents/config-error.js";
import { selectBackend } from "../../../agents/nn/backend.js";
import { Sac, type SacBatch } from "../../../agents/sac/sac.js";
import { lowestReturn, sacConfig, targetRange, type SacConfig } from "../../../agents/sac/sac-config.js";
import { Rng } from "../../../sim/core/rng.js";

const OBS = 4;
const ACT = 2;
const small = (preset: "seed" | "sb3") => sacConfig(preset, { hidden: [32, 32], batchSize: 16 });
const TQC = { quantiles: 7, dropPerNet: 2 };
const tqcConfig = (overrides: Partial<SacConfig> = {}): SacConfig =>
  sacConfig("sb3", { hidden: [32, 32], batchSize: 16, tqc: TQC, ...overrides });

function randomBatch(n: number, rng: Rng): SacBatch {
  const fill = (len: number) => Float32Array.from({ length: len }, () => rng.normal());
  return {
    obs: fill(n * OBS),
    act: Float32Array.from({ length: n * ACT }, () => rng.uniform(-1, 1)),
    rew: fill(n),
    nextObs: fill(n * OBS),
    done: Float32Array.from({ length: n }, () => (rng.random() < 0.2 ? 1 : 0)),
  };
}

describe("agents/sac checkpoints across engines", () => {
  it("a state written on tfjs loads on ONNX Runtime and back, acting alike and continuing", async () => {
    await selectBackend("wasm");
    const rng = new Rng(21);
    const tfjsAgent = new Sac(OBS, ACT, [1, 2], small("sb3"), 5);
    for (let i = 0; i < 4; i++) tfjsAgent.update(randomBatch(16, rng));
    const state = tfjsAgent.getWeights();
    await selectBackend("ort");
    const ortAgent = new Sac(OBS, ACT, [1, 2], small("sb3"), 99);
    ortAgent.setWeights(state);
    expect(ortAgent.getWeights()).to.deep.equal(state);
    const obs = randomBatch(6, rng).obs;
    const a = tfjsAgent.act(obs, true);
    const b = ortAgent.act(obs, true);
    a.forEach((x, i) => expect(b[i]).to.be.closeTo(x, 1e-5));
    const m = ortAgent.update(randomBatch(16, rng));
    expect(Number.isFinite(m.qfLoss)).to.equal(true);
    expect(ortAgent.updates).to.equal(5);
    tfjsAgent.dispose();
    ortAgent.dispose();
  });

  it("refuses a state of another shape, naming the array", async () => {
    await selectBackend("ort");
    const agent = new Sac(OBS, ACT, 1, small("seed"), 0);
    const other = new Sac(OBS + 1, ACT, 1, small("seed"), 0).getWeights();
    expect(() => agent.setWeights(other)).to.throw(/Sac.setWeights: actor has \d+ values, expected \d+/);
    agent.dispose();
  });
});

describe("agents/sac Sac on tfjs", () => {
  before(async () => {
    await selectBackend("wasm");
  });

  for (const preset of ["seed", "sb3"] as const) {
    it(`leaks no tensor in an update or an action (${preset} preset)`, () => {
      const agent = new Sac(OBS, ACT, 1, small(preset), 1);
      const batch = randomBatch(16, new Rng(2));
      agent.update(batch);
      const before = tf.memory().numTensors;
      agent.update(batch);
      agent.update(batch, { rows: { input: batch.obs, target: batch.act }, loss: "mse", weight: 0.5 });
      agent.bcStep({ input: batch.obs, target: batch.act }, "nll");
      agent.act(batch.obs.subarray(0, OBS), false);
      agent.act(batch.obs, true);
      expect(tf.memory().numTensors).to.equal(before);
      agent.dispose();
    });
  }
});

for (const backend of ["ort", "wasm"] as const)
  describe(`agents/sac Sac (${backend})`, () => {
    before(async () => {
      await selectBackend(backend);
    });

    it(`runs on the ${backend === "ort" ? "ONNX Runtime" : "tfjs"} engine`, () => {
      const agent = new Sac(OBS, ACT, 1, small("seed"), 1);
      expect(agent.engineName).to.equal(backend === "ort" ? "ort" : "tfjs");
      agent.dispose();
    });

    it("gives identical weights and metrics after N updates from the same seed, different ones from another", () => {
      const run = (seed: number) => {
        const agent = new Sac(OBS, ACT, [1, 2], small("sb3"), seed);
        const rng = new Rng(5);
        const metrics = [];
        for (let i = 0; i < 8; i++) metrics.push(agent.update(randomBatch(16, rng)));
        const weights = agent.getWeights();
        agent.dispose();
        return { weights, metrics };
      };
      const a = run(3);
      const b = run(3);
      const c = run(4);
      expect(a.metrics).to.deep.equal(b.metrics);
      expect(Buffer.from(a.weights.actor.buffer).equals(Buffer.from(b.weights.actor.buffer))).to.equal(true);
      expect(Buffer.from(a.weights.qfTarget.buffer).equals(Buffer.from(b.weights.qfTarget.buffer))).to.equal(true);
      expect(Buffer.from(a.weights.qfAdam.v.buffer).equals(Buffer.from(b.weights.qfAdam.v.buffer))).to.equal(true);
      expect(Buffer.from(a.weights.actor.buffer).equals(Buffer.from(c.weights.actor.buffer))).to.equal(false);
    });

    it("continues bit-identically from getWeights/setWeights (optimiser and noise state included)", () => {
      const rng = new Rng(9);
      const batches = Array.from({ length: 6 }, () => randomBatch(16, rng));
      const a = new Sac(OBS, ACT, 1, small("sb3"), 1);
      for (const batch of batches.slice(0, 3)) a.update(batch);
      const b = new Sac(OBS, ACT, 1, small("sb3"), 99);
      b.setWeights(a.getWeights());
      const tail = (agent: Sac) => batches.slice(3).map((batch) => agent.update(batch));
      expect(tail(b)).to.deep.equal(tail(a));
      expect(b.getWeights()).to.deep.equal(a.getWeights());
      a.dispose();
      b.dispose();
    });

    it("saves and loads: identical deterministic actions, identical next update, a browser-loadable model.json", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sac-save-"));
      try {
        const rng = new Rng(4);
        const agent = new Sac(OBS, ACT, [1, 0.5], small("sb3"), 2);
        for (let i = 0; i < 3; i++) agent.update(randomBatch(16, rng));
        await agent.save(dir);
        const loaded = await Sac.load(dir);
        const obs = randomBatch(5, rng).obs;
        expect(loaded.act(obs, true)).to.deep.equal(agent.act(obs, true));
        const batch = randomBatch(16, rng);
        expect(loaded.update(batch)).to.deep.equal(agent.update(batch));
        const model = JSON.parse(fs.readFileSync(path.join(dir, "model.json"), "utf8")) as {
          modelTopology: { class_name: string; config: { layers: { config: { units: number } }[] } };
          weightsManifest: { paths: string[]; weights: { name: string; shape: number[] }[] }[];
        };
        expect(model.modelTopology.class_name).to.equal("Sequential");
        expect(model.modelTopology.config.layers.map((l) => l.config.units)).to.deep.equal([32, 32, 2 * ACT]);
        expect(model.weightsManifest[0]!.paths).to.deep.equal(["weights.bin"]);
        expect(model.weightsManifest[0]!.weights.map((w) => w.name)).to.deep.equal([
          "dense_1/kernel",
          "dense_1/bias",
          "dense_2/kernel",
          "dense_2/bias",
          "dense_3/kernel",
          "dense_3/bias",
        ]);
        expect(fs.statSync(path.join(dir, "weights.bin")).size).to.equal(4 * agent.actorNet.layout.size);
        agent.dispose();
        loaded.dispose();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("keeps actions inside [-actLimit, actLimit] per dimension", () => {
      const agent = new Sac(OBS, ACT, [0.3, 2], small("seed"), 0);
      const obs = randomBatch(200, new Rng(1)).obs.map((x) => x * 50);
      const a = agent.act(obs, false);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]!)).to.be.at.most(Math.fround(i % 2 === 0 ? 0.3 : 2));
      agent.dispose();
    });

    // TQC's critics (the last describe) run on ONNX Runtime only.
    for (const tqc of backend === "ort" ? [null, { quantiles: 7, dropPerNet: 2 }] : [null]) {
      it(`learns a one-step bandit: reward -(a - a*)^2, done every step${tqc === null ? "" : ", with TQC's critics"}`, () => {
        // Q(s, a) must learn the quadratic and the actor its argmax; with done = 1 gamma plays no part,
        // so this is regression plus policy improvement. One (zero) observation keeps it to ~500 updates.
        const target = [0.5, -0.3];
        const agent = new Sac(OBS, ACT, 1, sacConfig("seed", { hidden: [64, 64], batchSize: 64, alpha: 0.01, tqc }), 0);
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
        // The critics' value near the best action beats a far one's, and is near its reward, 0.
        const q = agent.qValues(new Float32Array(2 * OBS), Float32Array.of(...target, -target[0]!, -target[1]!));
        expect(q.qf1[0]!).to.be.above(q.qf1[1]!);
        expect(q.qf1[0]!).to.be.closeTo(0, 0.1);
        agent.dispose();
      });
    }

    it("with a BC term and rl: false, regresses the sampled action onto the target", () => {
      const agent = new Sac(OBS, ACT, 1, sacConfig("seed", { hidden: [32, 32], batchSize: 32, alpha: 0.2 }), 0);
      const rng = new Rng(3);
      let first = 0;
      let last = 0;
      for (let i = 0; i < 200; i++) {
        const batch = randomBatch(32, rng);
        const supAct = Float32Array.from({ length: 32 * ACT }, (_, k) => (k % 2 === 0 ? 0.6 : -0.6));
        const m = agent.update(batch, { rows: { input: batch.obs, target: supAct }, loss: "mse", weight: 1, rl: false });
        if (i === 0) first = m.piLoss;
        last = m.piLoss;
      }
      expect(last).to.be.below(first / 4);
      agent.dispose();
    });

    it("learns alpha towards the entropy target in the sb3 preset", () => {
      const agent = new Sac(OBS, ACT, 1, small("sb3"), 0);
      const rng = new Rng(6);
      let m = agent.update(randomBatch(16, rng));
      expect(m.alpha).to.be.closeTo(1, 1e-6);
      for (let i = 0; i < 30; i++) m = agent.update(randomBatch(16, rng));
      // log pi > -actDim at init (a narrow-ish Gaussian), so alpha must fall below 1.
      expect(m.alpha).to.be.below(1);
      agent.dispose();
    });

    it("rejects a batch whose arrays disagree in rows", () => {
      const agent = new Sac(OBS, ACT, 1, small("seed"), 0);
      const batch = randomBatch(16, new Rng(1));
      expect(() => agent.update({ ...batch, act: batch.act.subarray(2) })).to.throw(/batch.act has 30 values, expected 32/);
      agent.dispose();
    });
  });

/**
 * TQC's critics on the Sac agent (the update graph itself is checked against a float64 reference in
 * test/agents/onnx/sac-update-graph.test.ts; the bandit above learns with them too): seeded, saved
 * and loaded, bad settings and the tfjs fallback refused by name, checkpoints from before TQC read.
 */
describe("agents/sac Sac with TQC's critics", () => {
  before(async () => {
    await selectBackend("ort");
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

  it("loads a SAC checkpoint written before TQC and clipReturn existed (its config has neither) as SAC, targets unclipped", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tqc-old-"));
    try {
      const agent = new Sac(OBS, ACT, 1, sacConfig("seed", { hidden: [16] }), 1);
      await agent.save(dir);
      const file = path.join(dir, "sac.json");
      const json = JSON.parse(fs.readFileSync(file, "utf8")) as { userDefinedMetadata: { config: Record<string, unknown> } };
      delete json.userDefinedMetadata.config.tqc;
      delete json.userDefinedMetadata.config.clipReturn;
      fs.writeFileSync(file, JSON.stringify(json));
      const loaded = await Sac.load(dir);
      expect(loaded.config.tqc).to.equal(null);
      expect(loaded.config.clipReturn).to.equal(false);
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

describe("agents/sac SacConfig.clipReturn", () => {
  const badClip: readonly [string, Partial<SacConfig>, RegExp][] = [
    [
      "clipReturn a string",
      { clipReturn: "yes" as unknown as boolean },
      /SacConfig.clipReturn must be true, false or a negative lowest target, got "yes"/,
    ],
    ["clipReturn at 0", { clipReturn: 0 }, /negative lowest target, got 0/],
    ["clipReturn above 0", { clipReturn: 3 }, /negative lowest target, got 3/],
    ["clipReturn NaN", { clipReturn: NaN }, /negative lowest target, got null/],
    ["clipReturn -Infinity", { clipReturn: -Infinity }, /negative lowest target, got null/],
    ["clipReturn at gamma 1", { clipReturn: true, gamma: 1 }, /SacConfig.clipReturn needs gamma < 1/],
  ];
  it("clips to [-1/(1 - gamma), 0] when true, to [n, 0] when a number n, not at all when false", () => {
    expect(targetRange(sacConfig("sb3", { clipReturn: true, gamma: 0.95 }))).to.deep.equal([lowestReturn(0.95), 0]);
    expect(lowestReturn(0.95)).to.be.closeTo(-20, 1e-9);
    expect(targetRange(sacConfig("sb3", { clipReturn: -5, gamma: 0.95 }))).to.deep.equal([-5, 0]);
    expect(targetRange(sacConfig("sb3", { clipReturn: -5, gamma: 1 }))).to.deep.equal([-5, 0]); // bounded whatever gamma
    expect(targetRange(sacConfig("sb3"))).to.equal(null);
  });
  for (const [what, overrides, message] of badClip) {
    it(`refuses ${what}, naming the field`, () => {
      expect(() => sacConfig("sb3", overrides))
        .to.throw(ConfigError)
        .with.property("message")
        .that.matches(message);
    });
  }
});
