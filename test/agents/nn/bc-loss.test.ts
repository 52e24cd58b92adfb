import { expect } from "chai";
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "../../../agents/nn/backend.js";
import { SquashedGaussianPolicy } from "../../../agents/nn/squashed-gaussian-policy.js";
import { Sac } from "../../../agents/sac/sac.js";
import { seedPreset } from "../../../agents/sac/sac-config.js";
import { bcTerm, type BcLossKind } from "../../../agents/nn/bc-loss.js";
import { Rng } from "../../../sim/core/rng.js";

const OBS = 3;
const ACT = 2;
const HIDDEN = 4;
const LIMIT = [1, 2.5];
const input = Float32Array.from([0.3, -0.2, 0.9, -1.1, 0.4, 0.05, 0.7, 0.7, -0.6]);
const target = Float32Array.from([0.5, -2.0, -0.9, 1.2, 0.99, 2.5]); // the last on the bound

/** The loss in float64, from flat parameters [W1 (3x4), b1, W2 (4x4), b2] and the noise. */
function reference(params: Float64Array, eps: Float64Array, kind: BcLossKind): number {
  const m = input.length / OBS;
  const w1 = (i: number, j: number): number => params[i * HIDDEN + j]!;
  const b1 = (j: number): number => params[OBS * HIDDEN + j]!;
  const o2 = OBS * HIDDEN + HIDDEN;
  const w2 = (i: number, j: number): number => params[o2 + i * 2 * ACT + j]!;
  const b2 = (j: number): number => params[o2 + HIDDEN * 2 * ACT + j]!;
  let total = 0;
  for (let r = 0; r < m; r++) {
    const h = Array.from({ length: HIDDEN }, (_, j) =>
      Math.max(0, b1(j) + [0, 1, 2].reduce((s, i) => s + input[r * OBS + i]! * w1(i, j), 0)),
    );
    const out = Array.from({ length: 2 * ACT }, (_, j) => b2(j) + h.reduce((s, hv, i) => s + hv * w2(i, j), 0));
    for (let d = 0; d < ACT; d++) {
      const mean = out[d]!;
      const logStd = Math.min(2, Math.max(-20, out[ACT + d]!));
      const std = Math.exp(logStd);
      const t = target[r * ACT + d]!;
      if (kind === "nll") {
        const y = Math.min(1 - 2 ** -20, Math.max(-1 + 2 ** -20, t / LIMIT[d]!));
        const u = Math.atanh(y);
        const z = (u - mean) / std;
        total -= -0.5 * z * z - logStd - 0.5 * Math.log(2 * Math.PI) - Math.log(1 - y * y);
      } else {
        const u = mean + (kind === "mse" ? std * eps[r * ACT + d]! : 0);
        total += (LIMIT[d]! * Math.tanh(u) - t) ** 2;
      }
    }
  }
  return total / (m * ACT);
}

describe("BC losses (MSE on a sampled action, Gaussian log-likelihood)", () => {
  before(async () => {
    await selectBackend("wasm");
  });

  for (const kind of ["mse", "mse-mean", "nll"] as const) {
    it(`${kind}: value and parameter gradients match a float64 reference`, () => {
      const policy = new SquashedGaussianPolicy(OBS, ACT, [HIDDEN]);
      const flat = policy.net.init(new Rng(7));
      const params = policy.net.layout.toTensors(flat);
      const seed = 1234;
      const m = input.length / OBS;
      const eps = Float64Array.from(tf.randomNormal([m, ACT], 0, 1, "float32", seed).dataSync());
      const before = tf.memory().numTensors;
      const { loss, grads } = tf.tidy(() => {
        const out = bcTerm(policy, LIMIT, { input, target }, kind)(params, seed);
        return { loss: out.loss.dataSync()[0]!, grads: policy.net.layout.toFlat(out.grads) };
      });
      expect(tf.memory().numTensors).to.equal(before);
      const p64 = Float64Array.from(flat);
      expect(loss).to.be.closeTo(reference(p64, eps, kind), 1e-4 * Math.max(1, Math.abs(loss)));
      // Central differences in float64, parameter by parameter.
      for (let k = 0; k < p64.length; k++) {
        const h = 1e-5;
        const plus = Float64Array.from(p64);
        const minus = Float64Array.from(p64);
        plus[k]! += h;
        minus[k]! -= h;
        const numeric = (reference(plus, eps, kind) - reference(minus, eps, kind)) / (2 * h);
        expect(grads[k], `d loss / d param ${k}`).to.be.closeTo(numeric, 1e-3 + 1e-3 * Math.abs(numeric));
      }
      params.forEach((t) => t.dispose());
    });
  }

  it("enters SAC as an extra actor term (rl: false = BC alone) and as a pretraining step, leaking no tensor", () => {
    const agent = new Sac(OBS, ACT, LIMIT, { ...seedPreset, hidden: [8] }, 1);
    expect(agent.engineName).to.equal("tfjs");
    const rows = { input, target };
    const n = 4;
    const batch = {
      obs: new Float32Array(n * OBS).fill(0.1),
      act: new Float32Array(n * ACT),
      rew: new Float32Array(n),
      nextObs: new Float32Array(n * OBS),
      done: new Float32Array(n),
    };
    const before = tf.memory().numTensors;
    const start = agent.bcValue(rows, "mse-mean", 0);
    const m = agent.update(batch, { rows, loss: "mse-mean", weight: 2, rl: false });
    expect(m.piLoss).to.be.closeTo(2 * start, 1e-5);
    for (let i = 0; i < 30; i++) agent.bcStep(rows, "mse-mean");
    expect(tf.memory().numTensors).to.equal(before);
    expect(agent.bcValue(rows, "mse-mean", 0)).to.be.below(start);
    agent.dispose();
  });
});
