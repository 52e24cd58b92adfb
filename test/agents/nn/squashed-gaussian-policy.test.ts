import { expect } from "chai";
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "../../../agents/nn/backend.js";
import { SquashedGaussianPolicy } from "../../../agents/nn/squashed-gaussian-policy.js";
import { Rng } from "../../../sim/core/rng.js";

describe("agents/nn squashed Gaussian policy", () => {
  const policy = new SquashedGaussianPolicy(3, 2, [8]);
  const limit = [2, 0.5];
  let params: tf.Tensor[];
  let actLimit: tf.Tensor1D;
  const obsValues = Float32Array.from([0.3, -1.2, 0.8, 1.5, 0.1, -0.4, -2, 2, 0.5]);
  const epsValues = Float32Array.from([0.2, -1.1, 2.5, 0.4, -3.0, 0.9]);

  before(async () => {
    await selectBackend("wasm");
    const flat = policy.net.init(new Rng(3));
    // Scale the output layer up so that some |u| are large and the tanh correction matters.
    for (const name of ["dense_2/kernel", "dense_2/bias"]) {
      const view = policy.net.layout.view(flat, name);
      for (let i = 0; i < view.length; i++) view[i] = view[i]! * 6;
    }
    params = policy.net.layout.toTensors(flat).map((t) => tf.keep(t));
    actLimit = tf.keep(tf.tensor1d(limit));
  });

  after(() => {
    for (const t of [...params, actLimit]) t.dispose();
  });

  it("log-prob equals the change of variables computed in float64", () => {
    tf.tidy(() => {
      const obs = tf.tensor2d(obsValues, [3, 3]);
      const eps = tf.tensor2d(epsValues, [3, 2]);
      const { action, logProb } = policy.sample(params, obs, eps, actLimit);
      const out = policy.net.forward(params, obs).out.arraySync();
      const lp = logProb.arraySync();
      const act = action.arraySync();
      for (let r = 0; r < 3; r++) {
        let want = 0;
        for (let j = 0; j < 2; j++) {
          const mean = out[r]![j]!;
          const logStd = Math.min(2, Math.max(-20, out[r]![2 + j]!));
          const std = Math.exp(logStd);
          const u = mean + std * epsValues[r * 2 + j]!;
          // density of a = tanh(u): N(u; mean, std) / (1 - tanh(u)^2), with 1 - tanh^2 = 4 e^{-2|u|} / (1 + e^{-2|u|})^2
          const logGauss = -0.5 * ((u - mean) / std) ** 2 - Math.log(std) - 0.5 * Math.log(2 * Math.PI);
          const logOneMinusTanh2 = Math.log(4) - 2 * Math.abs(u) - 2 * Math.log1p(Math.exp(-2 * Math.abs(u)));
          want += logGauss - logOneMinusTanh2;
          expect(act[r]![j]!).to.be.closeTo(limit[j]! * Math.tanh(u), 1e-5);
        }
        expect(lp[r]!).to.be.closeTo(want, 1e-3 * Math.max(1, Math.abs(want)));
      }
    });
  });

  it("backward matches central finite differences of a loss in action and log-prob", () => {
    // L = mean(0.3 * logp) + mean(sum(c * a)): both paths of the SAC policy loss.
    const c = tf.tidy(() => tf.keep(tf.tensor2d([0.7, -1.3, 0.2, 0.9, -0.5, 1.1], [3, 2])));
    const loss = (ps: readonly tf.Tensor[]): number =>
      tf.tidy(() => {
        const s = policy.sample(ps, tf.tensor2d(obsValues, [3, 3]), tf.tensor2d(epsValues, [3, 2]), actLimit);
        return tf.add(tf.mean(tf.mul(s.logProb, 0.3)), tf.mean(tf.sum(tf.mul(s.action, c), 1))).dataSync()[0]!;
      });
    tf.tidy(() => {
      const s = policy.sample(params, tf.tensor2d(obsValues, [3, 3]), tf.tensor2d(epsValues, [3, 2]), actLimit);
      const grads = policy.backward(params, s, tf.div(c, 3) as tf.Tensor2D, tf.scalar(0.3 / 3), actLimit);
      const flat = policy.net.layout.toFlat(params);
      const gradFlat = policy.net.layout.toFlat(grads);
      const rng = new Rng(11);
      for (let trial = 0; trial < 12; trial++) {
        const i = rng.integer(flat.length);
        const h = 1e-2;
        const plus = Float32Array.from(flat);
        plus[i] = plus[i]! + h;
        const minus = Float32Array.from(flat);
        minus[i] = minus[i]! - h;
        const fd = (loss(policy.net.layout.toTensors(plus)) - loss(policy.net.layout.toTensors(minus))) / (2 * h);
        expect(gradFlat[i]!).to.be.closeTo(fd, 2e-3 + 0.02 * Math.abs(fd));
      }
    });
    c.dispose();
  });

  it("mode is act_limit * tanh(mean)", () => {
    tf.tidy(() => {
      const obs = tf.tensor2d(obsValues, [3, 3]);
      const out = policy.net.forward(params, obs).out.arraySync();
      const a = policy.mode(params, obs, actLimit).arraySync();
      for (let r = 0; r < 3; r++) for (let j = 0; j < 2; j++) expect(a[r]![j]!).to.be.closeTo(limit[j]! * Math.tanh(out[r]![j]!), 1e-6);
    });
  });
});
