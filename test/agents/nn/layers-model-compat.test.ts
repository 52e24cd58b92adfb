import { expect } from "chai";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { selectBackend } from "../../../agents/nn/backend.js";
import { fileHandler } from "../../../agents/nn/file-io.js";
import { Sac } from "../../../agents/sac/sac.js";
import { sacConfig } from "../../../agents/sac/sac-config.js";

/**
 * The saved actor is a plain tfjs-layers model: tfjs-layers (what a browser page uses through
 * `tf.loadLayersModel`) loads it and computes the same deterministic actions as the agent.
 */
describe("saved policy in the tfjs layers-model format", () => {
  before(async () => {
    await selectBackend("cpu");
  });

  it("loads with tfjs-layers and gives the agent's deterministic actions", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rapier-gym-layers-"));
    try {
      const agent = new Sac(10, 2, [1, 0.5], sacConfig("seed", { hidden: [32, 32] }), 3);
      await agent.save(dir);
      const model = await tfl.loadLayersModel(fileHandler(dir));
      const obs = Float32Array.from({ length: 5 * 10 }, (_, i) => Math.sin(i));
      const out = tf.tidy(() => (model.predict(tf.tensor2d(obs, [5, 10])) as tf.Tensor).dataSync());
      const expected = agent.act(obs, true);
      const limits = [1, 0.5];
      for (let row = 0; row < 5; row++) {
        for (let j = 0; j < 2; j++) {
          // Output row: [mean (actDim), log-std (actDim)]; action = limit * tanh(mean).
          expect(limits[j]! * Math.tanh(out[row * 4 + j]!)).to.be.closeTo(expected[row * 2 + j]!, 1e-5);
        }
      }
      model.dispose();
      agent.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
