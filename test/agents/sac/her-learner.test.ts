import { expect } from "chai";
import { make } from "../../../sim/index.js";
import type { CheckpointBlobs } from "../../../agents/run/checkpoint.js";
import { HerLearner, emptyLosses, lossFields } from "../../../agents/sac/her-learner.js";
import { sacConfig } from "../../../agents/sac/sac-config.js";

const her = { nSampledGoal: 4, strategy: "future" as const, faithful: false };

/** A learner on PointMassReach-v0 whose buffer holds two finished episodes of random actions. */
function filledLearner(updatesPerStep: number): HerLearner {
  const env = make("PointMassReach-v0");
  const learner = new HerLearner(env, sacConfig("seed", { hidden: [8], batchSize: 16, updatesPerStep }), her, 1000, 7);
  let obs = env.reset({ seed: 3 }).obs;
  for (let episodes = 0; episodes < 2;) {
    const action = Float64Array.from(learner.act(obs, false));
    const r = env.step(action);
    learner.observe(obs, action, r);
    obs = r.obs;
    if (r.terminated || r.truncated) {
      episodes++;
      obs = env.reset().obs;
    }
  }
  env.close();
  return learner;
}

/**
 * The learner's blobs as a checkpoint read from disk hands them over: each a view at an odd offset
 * into a larger buffer holding other bytes (Node's pooled Buffers).
 */
function blobsOf(learner: HerLearner, drop: string[] = []): CheckpointBlobs {
  const pooled = ([name, bytes]: [string, Uint8Array]): [string, Uint8Array] => {
    const pool = new Uint8Array(bytes.length + 16).fill(0xab);
    pool.set(bytes, 3);
    return [name, pool.subarray(3, 3 + bytes.length)];
  };
  const blobs = new Map(
    Object.entries(learner.toBlobs(""))
      .filter(([name]) => !drop.includes(name))
      .map(pooled),
  );
  return {
    blob: (name) => blobs.get(name) ?? expect.fail(`no blob ${name}`),
    optionalBlob: (name) => blobs.get(name),
  };
}

describe("HerLearner", () => {
  it("logs the mean Q1 of its updates' batches as q/mean beside the losses", () => {
    const learner = filledLearner(1);
    const agent = learner.agent;
    const update = agent.update.bind(agent);
    const seen: number[] = [];
    agent.update = (batch, term) => {
      const m = update(batch, term);
      seen.push(m.qf1Mean);
      return m;
    };
    const totals = emptyLosses();
    for (let i = 0; i < 3; i++) learner.learn(totals);
    const fields = lossFields(totals, "", "_l0");
    expect(seen).to.have.length(3);
    expect(fields["q/mean_l0"]).to.be.closeTo((seen[0]! + seen[1]! + seen[2]!) / 3, 1e-12);
    expect(Object.keys(fields).sort()).to.deep.equal(["alpha_l0", "loss/pi_l0", "loss/qf_l0", "q/mean_l0"]);
    expect(lossFields(emptyLosses())).to.deep.equal({}); // no update, no fields
    learner.dispose();
  });

  it("takes a fractional updatesPerStep as one gradient step whenever the owed steps make a whole one", () => {
    const learner = filledLearner(0.4);
    const counts: number[] = [];
    for (let i = 0; i < 10; i++) {
      learner.learn();
      counts.push(learner.agent.updates);
    }
    // 0.4, 0.8, 1.2 -> 1, 0.6, 1.0 -> 2, ...: four updates in ten transitions.
    expect(counts).to.deep.equal([0, 0, 1, 1, 2, 2, 2, 3, 3, 4]);
    learner.learn(undefined, 5);
    expect(learner.agent.updates).to.equal(6);
    learner.dispose();
  });

  it("carries the owed fraction through its checkpoint blobs, so a restored learner updates at the same transitions", () => {
    const a = filledLearner(0.4);
    for (let i = 0; i < 3; i++) a.learn(); // one update, 0.2 owed
    const b = filledLearner(0.4);
    b.restoreBlobs("", blobsOf(a));
    // A checkpoint from before the owed blob existed restores with nothing owed.
    const c = filledLearner(0.4);
    c.restoreBlobs("", blobsOf(a, ["owed"]));
    const updates = () => [a, b, c].map((l) => l.agent.updates);
    [a, b, c].forEach((l) => l.learn());
    expect(updates()).to.deep.equal([1, 1, 1]);
    [a, b, c].forEach((l) => l.learn()); // 0.2 + 0.4 + 0.4 = 1.0 owed on a and b, 0.8 on c
    expect(updates()).to.deep.equal([2, 2, 1]);
    // A damaged owed blob is refused by name rather than read as a count of updates.
    const d = filledLearner(0.4);
    const damaged = blobsOf(a);
    const bad: CheckpointBlobs = {
      ...damaged,
      optionalBlob: (name) => (name === "owed" ? new Uint8Array(8).fill(0x7f) : damaged.optionalBlob(name)),
    };
    expect(() => d.restoreBlobs("", bad)).to.throw(/checkpoint blob owed must hold one float64 in \[0, 1\)/);
    [a, b, c, d].forEach((l) => l.dispose());
  });

  it("takes updatesPerStep whole gradient steps per transition when it is a whole number", () => {
    const learner = filledLearner(2);
    learner.learn();
    learner.learn(undefined, 3);
    expect(learner.agent.updates).to.equal(8);
    learner.dispose();
  });
});
