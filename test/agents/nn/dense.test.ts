import { expect } from "chai";
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "../../../agents/nn/backend.js";
import { dense, type Activation } from "../../../agents/nn/dense.js";
import { Rng } from "../../../sim/core/rng.js";

/** Reference gradients of y = act(x W + b) in float64 for upstream gradient dy. */
function reference(x: number[][], w: number[][], b: number[], dy: number[][], activation: Activation) {
  const n = x.length;
  const k = w.length;
  const m = b.length;
  const z = x.map((row) => b.map((bj, j) => bj + row.reduce((s, xi, i) => s + xi * w[i]![j]!, 0)));
  const dz = dy.map((row, r) => row.map((d, j) => (activation === "relu" && z[r]![j]! <= 0 ? 0 : d)));
  const dx = x.map((_, r) => w.map((wi) => wi.reduce((s, wij, j) => s + wij * dz[r]![j]!, 0)));
  const dw = Array.from({ length: k }, (_, i) => Array.from({ length: m }, (_, j) => x.reduce((s, row, r) => s + row[i]! * dz[r]![j]!, 0)));
  const db = b.map((_, j) => dz.reduce((s, row) => s + row[j]!, 0));
  void n;
  return { dx, dw, db };
}

function maxAbsDiff(a: tf.Tensor, b: number[][] | number[]): number {
  const got = a.dataSync();
  const want = b.flat();
  expect(got.length).to.equal(want.length);
  return Math.max(...want.map((v, i) => Math.abs(v - got[i]!)));
}

describe("agents/nn dense (custom gradient)", () => {
  before(async () => {
    await selectBackend("wasm");
  });

  // [batch, in, out]: each picks a different product orientation in denseBackward (dx through a
  // transposed W or through (W dz^T)^T; dW as x^T dz or, for a widening layer, (dz^T x)^T).
  const shapes: [number, number, number][] = [
    [6, 5, 4],
    [2, 5, 4],
    [6, 3, 7],
  ];
  for (const backend of ["wasm", "cpu"] as const) {
    for (const activation of ["relu", "linear"] as const) {
      for (const [batch, inSize, outSize] of shapes) {
        it(`matches float64 reference gradients to 1e-5 (${activation}, ${backend}, ${batch}x${inSize} -> ${outSize})`, async () => {
          await selectBackend(backend);
          const rng = new Rng(7);
          const mat = (r: number, c: number, s: number) =>
            Array.from({ length: r }, () => Array.from({ length: c }, () => s * rng.normal()));
          const x = mat(batch, inSize, 0.5);
          const w = mat(inSize, outSize, 0.3);
          const b = mat(1, outSize, 0.1)[0]!;
          const dy = mat(batch, outSize, 0.2);
          const want = reference(x, w, b, dy, activation);
          const before = tf.memory().numTensors;
          tf.tidy(() => {
            const [dx, dw, db] = tf.grads((xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) =>
              dense(xs as tf.Tensor2D, ws as tf.Tensor2D, bs as tf.Tensor1D, activation),
            )([tf.tensor2d(x), tf.tensor2d(w), tf.tensor1d(b)], tf.tensor2d(dy));
            expect(maxAbsDiff(dx!, want.dx)).to.be.below(1e-5);
            expect(maxAbsDiff(dw!, want.dw)).to.be.below(1e-5);
            expect(maxAbsDiff(db!, want.db)).to.be.below(1e-5);
          });
          expect(tf.memory().numTensors).to.equal(before);
        });
      }
    }
  }

  after(async () => {
    await selectBackend("wasm");
  });
});
