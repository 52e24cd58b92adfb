/**
 * The ONNX Runtime engine against the tfjs engine: from the same weights, batch and noise, one
 * update (every graph variant), one BC step, the actions and the Q values agree within 1e-4
 * relative. The tfjs engine is fed the ONNX engine's noise (fillNormal) for this.
 */
import { expect } from "chai";
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "../../../agents/nn/backend.js";
import type { BcLossKind } from "../../../agents/nn/bc-loss.js";
import { OrtSacEngine, fillNormal } from "../../../agents/sac/ort-sac-engine.js";
import { Sac } from "../../../agents/sac/sac.js";
import { sacConfig, type SacConfig } from "../../../agents/sac/sac-config.js";
import type { SacParams } from "../../../agents/nn/sac-params.js";
import type { SacBatch, SacEngine, SupervisedTerm } from "../../../agents/sac/sac-engine.js";
import { TfjsSacEngine } from "../../../agents/sac/tfjs-sac-engine.js";
import { Rng } from "../../../sim/core/rng.js";

const OBS = 7;
const ACT = 2;
const LIMIT = [1, 2.5];
const N = 24;
const M = 13;
const TOLERANCE = 1e-4;

const configs: Record<string, SacConfig> = {
  "seed preset, 2 hidden layers": sacConfig("seed", { hidden: [32, 32], batchSize: N }),
  "sb3 preset (learned alpha), 3 hidden layers": sacConfig("sb3", { hidden: [24, 24, 24], batchSize: N }),
  // Standard-normal rewards: about half the targets lie above 0, where the clip binds.
  "sb3 preset, targets clipped (clipReturn, gamma 0.9)": sacConfig("sb3", { hidden: [24, 24], batchSize: N, gamma: 0.9, clipReturn: true }),
  // A bound of -0.5 binds at both ends on standard-normal rewards.
  "sb3 preset, targets clipped to [-0.5, 0] (clipReturn -0.5)": sacConfig("sb3", { hidden: [24, 24], batchSize: N, clipReturn: -0.5 }),
};

const terms: Record<string, { loss: BcLossKind; rl: boolean } | null> = {
  "no term": null,
  "BC mse": { loss: "mse", rl: true },
  "BC mse-mean": { loss: "mse-mean", rl: true },
  "BC nll": { loss: "nll", rl: true },
  "BC mse alone (rl: false)": { loss: "mse", rl: false },
  "BC nll alone (rl: false)": { loss: "nll", rl: false },
};

function data(rng: Rng): { batch: SacBatch; rows: { input: Float32Array; target: Float32Array } } {
  const normal = (k: number): Float32Array => Float32Array.from({ length: k }, () => rng.normal());
  const inBounds = (k: number): Float32Array => Float32Array.from({ length: k }, (_, i) => LIMIT[i % ACT]! * rng.uniform(-0.95, 0.95));
  return {
    batch: {
      obs: normal(N * OBS),
      act: inBounds(N * ACT),
      rew: normal(N),
      nextObs: normal(N * OBS),
      done: Float32Array.from({ length: N }, (_, i) => (i % 5 === 0 ? 1 : 0)),
    },
    rows: { input: normal(M * OBS), target: inBounds(M * ACT) },
  };
}

function engines(config: SacConfig, init: SacParams): [SacEngine, SacEngine] {
  const noise = (shape: [number, number], seed: number): tf.Tensor2D =>
    tf.tensor2d(fillNormal(new Float32Array(shape[0] * shape[1]), seed), shape);
  return [new TfjsSacEngine(OBS, ACT, LIMIT, config, init, noise), new OrtSacEngine(OBS, ACT, LIMIT, config, init, 1)];
}

/** Every element within TOLERANCE of the reference, relative to the larger of itself and the array's typical size. */
function expectClose(actual: ArrayLike<number>, reference: ArrayLike<number>, what: string): void {
  expect(actual.length, what).to.equal(reference.length);
  let scale = 0;
  for (let i = 0; i < reference.length; i++) scale += Math.abs(reference[i]!) / reference.length;
  for (let i = 0; i < reference.length; i++) {
    const bound = TOLERANCE * Math.max(Math.abs(reference[i]!), scale, 1e-6);
    if (Math.abs(actual[i]! - reference[i]!) > bound)
      expect.fail(`${what}[${i}]: ${actual[i]} against ${reference[i]} (tolerance ${bound})`);
  }
}

function expectParamsClose(a: SacParams, b: SacParams, what: string): void {
  for (const key of ["actor", "qf", "qfTarget"] as const) expectClose(b[key], a[key], `${what}: ${key}`);
  // At the first Adam step m = (1 - beta1) g: the moments are the gradients.
  for (const key of ["actorAdam", "qfAdam", "alphaAdam"] as const) expectClose(b[key].m, a[key].m, `${what}: ${key} gradient`);
  expectClose([b.logAlpha], [a.logAlpha], `${what}: log_alpha`);
}

describe("agents/sac: the ONNX Runtime engine agrees with the tfjs engine", () => {
  before(async () => {
    await selectBackend("wasm");
  });

  for (const [configName, config] of Object.entries(configs)) {
    for (const [termName, term] of Object.entries(terms)) {
      it(`one update, ${configName}, ${termName}`, () => {
        const init = new Sac(OBS, ACT, LIMIT, config, 3).getWeights();
        const { batch, rows } = data(new Rng(11));
        const supervised: SupervisedTerm | undefined = term === null ? undefined : { rows, loss: term.loss, weight: 0.7, rl: term.rl };
        const [tfjs, ort] = engines(config, init);
        const seeds = { target: 101, actor: 202, term: 303 };
        const a = tfjs.update(batch, N, seeds, supervised);
        const b = ort.update(batch, N, seeds, supervised);
        const names = Object.keys(a) as (keyof typeof a)[];
        expectClose(
          names.map((k) => b[k]),
          names.map((k) => a[k]),
          "metrics",
        );
        expectParamsClose(tfjs.getParams(), ort.getParams(), "after the update");
        if (config.learnAlpha) {
          // A learned alpha moves with RL in the actor's loss, and is held while the actor learns by BC alone.
          const held = term !== null && !term.rl;
          for (const engine of [tfjs, ort]) {
            expect(engine.getParams().logAlpha === init.logAlpha, `${engine.constructor.name}: alpha held`).to.equal(held);
            expect(engine.getParams().alphaAdam.t, `${engine.constructor.name}: alpha's Adam steps`).to.equal(held ? 0 : 1);
          }
        }
        tfjs.dispose();
        ort.dispose();
      });
    }
  }

  for (const loss of ["mse", "mse-mean", "nll"] as const) {
    it(`one BC pretraining step and a BC value (${loss})`, () => {
      const config = configs["seed preset, 2 hidden layers"]!;
      const init = new Sac(OBS, ACT, LIMIT, config, 4).getWeights();
      const { rows } = data(new Rng(12));
      const [tfjs, ort] = engines(config, init);
      expectClose([ort.bcValue(rows, loss, 5)], [tfjs.bcValue(rows, loss, 5)], "value");
      expectClose([ort.bcStep(rows, loss, 6)], [tfjs.bcStep(rows, loss, 6)], "loss before the step");
      expectParamsClose(tfjs.getParams(), ort.getParams(), "after the step");
      tfjs.dispose();
      ort.dispose();
    });
  }

  it("acts (sampled and deterministic) and values (obs, act) alike", () => {
    const config = configs["sb3 preset (learned alpha), 3 hidden layers"]!;
    const [tfjs, ort] = engines(config, new Sac(OBS, ACT, LIMIT, config, 5).getWeights());
    const { batch } = data(new Rng(13));
    expectClose(ort.act(batch.obs, N, null), tfjs.act(batch.obs, N, null), "deterministic action");
    expectClose(ort.act(batch.obs, N, 77), tfjs.act(batch.obs, N, 77), "sampled action");
    const q = [tfjs.qValues(batch.obs, batch.act, N), ort.qValues(batch.obs, batch.act, N)] as const;
    expectClose(q[1].qf1, q[0].qf1, "qf1");
    expectClose(q[1].qf2, q[0].qf2, "qf2");
    tfjs.dispose();
    ort.dispose();
  });
});
