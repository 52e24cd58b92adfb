import { expect } from "chai";
import * as tf from "@tensorflow/tfjs-core";
import { availableBackends, learnerEngine, selectBackend, type BackendName } from "../../../agents/nn/backend.js";

describe("agents/nn backend selection", () => {
  it("starts ort, wasm and cpu here, and reports them as available", async () => {
    const available = await availableBackends();
    expect(available).to.include.members(["ort", "wasm", "cpu"]);
    expect(await selectBackend("ort")).to.equal("ort");
    expect(learnerEngine()).to.equal("ort");
    for (const name of ["wasm", "cpu"] as const) {
      expect(await selectBackend(name)).to.equal(name);
      expect(tf.getBackend()).to.equal(name);
      expect(learnerEngine()).to.equal("tfjs");
    }
  });

  it("picks the first backend that starts when given no name: ONNX Runtime, which loads here", async () => {
    const first = (await availableBackends())[0];
    expect(first).to.equal("ort");
    expect(await selectBackend()).to.equal(first);
  });

  it("rejects an unknown name and explains an unavailable one", async () => {
    let unknown: unknown;
    try {
      await selectBackend("gpu" as BackendName);
    } catch (e) {
      unknown = e;
    }
    expect(String(unknown)).to.match(/unknown backend 'gpu'.*ort, node, wasm, cpu/);
    if (!(await availableBackends()).includes("node")) {
      let missing: unknown;
      try {
        await selectBackend("node");
      } catch (e) {
        missing = e;
      }
      expect(String(missing)).to.match(/'node' is not available: @tensorflow\/tfjs-node is not installed/);
    }
    await selectBackend("wasm");
  });
});
