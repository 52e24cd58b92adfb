import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeDemoSet, encodeDemoSet, readDemoFile, writeDemoFile } from "../../../agents/demos/demo-file.js";
import { buildDemoSet, demoRow, DEMO_KEYS, newEpisode, recordStep, type DemoSet } from "../../../agents/demos/demo-set.js";
import { packArrays } from "../../../agents/buffers/array-pack.js";
import type { GoalObs } from "../../../sim/index.js";

/** Two episodes (3 and 2 steps) whose every value encodes (episode, step, key). */
function tinySet(): DemoSet {
  const episodes = [3, 2].map((length, e) => {
    const ep = newEpisode(10 + e);
    for (let t = 0; t < length; t++) {
      const v = (k: number, n: number): Float64Array => Float64Array.from({ length: n }, (_, d) => 1000 * e + 100 * k + 10 * t + d);
      const obs: GoalObs = {
        observation: v(1, 8),
        desired_goal: v(2, 2),
        achieved_goal: v(3, 2),
        controllable_achieved_goal: v(4, 2),
        full_positional_state: v(5, 4),
      };
      recordStep(ep, obs, v(0, 2));
    }
    return ep;
  });
  return buildDemoSet({ env: "PointMassPush-v0", envKwargs: { distanceThreshold: 0.5 }, source: "test" }, episodes);
}

describe("demo files", () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "rapier-gym-demos-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("lay episodes out as [episodes, T, dim] under the npz keys, padding short episodes with their last row", () => {
    const set = tinySet();
    expect(set.horizon).to.equal(3);
    expect(set.episodeLengths).to.deep.equal([3, 2]);
    expect(set.dims).to.deep.equal({
      acts: 2,
      obs: 8,
      desired_goals: 2,
      achieved_goals: 2,
      controllable_achieved_goals: 2,
      full_positional_states: 4,
    });
    expect(set.data.obs.length).to.equal(2 * 3 * 8);
    expect([...demoRow(set, "achieved_goals", 0, 2)]).to.deep.equal([320, 321]);
    expect([...demoRow(set, "acts", 1, 1)]).to.deep.equal([1010, 1011]);
    expect([...demoRow(set, "acts", 1, 2)]).to.deep.equal([1010, 1011]); // padding repeats the last row
  });

  it("round-trip through a file, metadata and arrays alike", () => {
    const set = tinySet();
    const path = join(dir, "tiny.demos");
    writeDemoFile(path, set);
    const back = readDemoFile(path);
    expect(back).to.deep.equal(set);
    for (const key of DEMO_KEYS) expect(back.data[key]).to.be.instanceOf(Float32Array);
  });

  it("refuse damaged, truncated and foreign files, saying what is wrong", () => {
    const bytes = encodeDemoSet(tinySet());
    const flipped = Uint8Array.from(bytes);
    flipped[flipped.length - 20]! ^= 0x40;
    expect(() => decodeDemoSet(flipped, "x.demos")).to.throw(/x\.demos is damaged.*CRC-32/);
    expect(() => decodeDemoSet(bytes.subarray(0, bytes.length - 30), "x.demos")).to.throw(
      /x\.demos is not a readable demo file: .*truncated/,
    );
    expect(() => decodeDemoSet(new TextEncoder().encode("hello world, not a pack"), "x.demos")).to.throw(
      /not a readable demo file: .*bad magic/,
    );
    expect(() => decodeDemoSet(packArrays({ format: "something-else" }, {}), "x.demos")).to.throw(
      /x\.demos is not a rapier-gym-demos\/1 file: format/,
    );
    const path = join(dir, "cut.demos");
    writeFileSync(path, readFileSync(join(dir, "tiny.demos")).subarray(0, 40));
    expect(() => readDemoFile(path)).to.throw(/cut\.demos is not a readable demo file/);
    expect(() => readDemoFile(join(dir, "missing.demos"))).to.throw(/cannot read demo file .*missing\.demos/);
  });
});
