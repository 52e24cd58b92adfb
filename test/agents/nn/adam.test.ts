import { expect } from "chai";
import * as tf from "@tensorflow/tfjs-core";
import { Adam, adamDefaults, FLOAT32_MIN_NORMAL, FLUSH_INTERVAL } from "../../../agents/nn/adam.js";
import { selectBackend } from "../../../agents/nn/backend.js";
import { ParamLayout } from "../../../agents/nn/param-layout.js";

const layout = new ParamLayout([{ name: "theta", shape: [3] }]);

/**
 * The gradient at step t (1-based) of three weights: one that gets a gradient once and then none
 * (a unit that died: its first moment decays into the subnormals and sticks there), one whose
 * gradient is so small that its square is subnormal, and one that always learns.
 */
function gradient(t: number): number[] {
  return [t === 1 ? 1 : 0, 1e-20, Math.sin(t)];
}

const isSubnormal = (x: number): boolean => x !== 0 && Math.abs(x) < FLOAT32_MIN_NORMAL;

describe("agents/nn Adam", () => {
  before(async () => {
    await selectBackend("wasm");
  });

  it("follows PyTorch's Adam and holds no subnormal moment after each flush", () => {
    const { lr, beta1, beta2, eps } = adamDefaults;
    const adam = new Adam(layout);
    let theta: tf.Tensor = tf.keep(tf.tensor1d([0.5, -0.25, 1]));
    const ref = { theta: [0.5, -0.25, 1], m: [0, 0, 0], v: [0, 0, 0] };
    const subnormalsBefore: number[] = [];
    const steps = FLUSH_INTERVAL + 5;
    for (let t = 1; t <= steps; t++) {
      const g = gradient(t);
      const next = tf.tidy(() => adam.step([theta], [tf.tensor1d(g)])[0]!);
      theta.dispose();
      theta = tf.keep(next);
      for (let i = 0; i < 3; i++) {
        ref.m[i] = beta1 * ref.m[i]! + (1 - beta1) * g[i]!;
        ref.v[i] = beta2 * ref.v[i]! + (1 - beta2) * g[i]! ** 2;
        const mHat = ref.m[i]! / (1 - beta1 ** t);
        const vHat = ref.v[i]! / (1 - beta2 ** t);
        ref.theta[i] = ref.theta[i]! - (lr * mHat) / (Math.sqrt(vHat) + eps);
      }
      const state = adam.getState();
      const subnormals = [...state.m, ...state.v].filter(isSubnormal).length;
      if (t === FLUSH_INTERVAL - 1) subnormalsBefore.push(subnormals);
      if (t === FLUSH_INTERVAL) expect(subnormals, "subnormal moments right after a flush").to.equal(0);
    }
    expect(subnormalsBefore[0], "subnormal moments just before the flush").to.be.greaterThan(0);
    const got = [...theta.dataSync()];
    got.forEach((x, i) => expect(x).to.be.closeTo(ref.theta[i]!, 1e-5 * Math.max(1, Math.abs(ref.theta[i]!))));
    theta.dispose();
    adam.dispose();
  });
});
