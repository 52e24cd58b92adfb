import os from "node:os";
import { expect } from "chai";
import { EnvError, Rng, make } from "../../sim/index.js";
import { SyncVectorEnv } from "../../sim/vector/sync-vector-env.js";
import { WorkerVectorEnv, type WorkerVectorEnvOptions } from "../../sim/vector/worker-vector-env.js";

describe("vector envs", () => {
  const id = "PointMassPush-v0";
  const numEnvs = 3;
  const kwargs = { maxEpisodeSteps: 10 };

  function actions(rng: Rng): Float64Array {
    return Float64Array.from({ length: numEnvs * 2 }, () => rng.uniform(-1, 1));
  }

  it("steps each env as the single env with seed + i would, and autoresets with finalObs", () => {
    const vec = new SyncVectorEnv(id, numEnvs, kwargs);
    const singles = Array.from({ length: numEnvs }, () => make(id, kwargs));
    const reset = vec.reset({ seed: 100 });
    singles.forEach((env, i) =>
      expect(Array.from(reset.obs["observation"]!.subarray(i * 8, i * 8 + 8))).to.deep.equal(
        Array.from(env.reset({ seed: 100 + i }).obs.observation),
      ),
    );
    const rng = new Rng(4);
    for (let t = 0; t < 10; t++) {
      const a = actions(rng);
      const r = vec.step(a);
      singles.forEach((env, i) => {
        const s = env.step(a.subarray(2 * i, 2 * i + 2));
        expect(r.rewards[i]).to.equal(s.reward);
        expect(r.truncated[i]).to.equal(s.truncated ? 1 : 0);
        if (t < 9) {
          expect(r.finalObs[i]).to.equal(null);
          expect(Array.from(r.obs["observation"]!.subarray(i * 8, i * 8 + 8))).to.deep.equal(Array.from(s.obs.observation));
        } else {
          // The episode ended: its last observation is in finalObs, and the row holds the next reset.
          expect(Array.from(r.finalObs[i]!["observation"]!)).to.deep.equal(Array.from(s.obs.observation));
          expect(Array.from(r.obs["observation"]!.subarray(i * 8, i * 8 + 8))).to.deep.equal(Array.from(env.reset().obs.observation));
        }
      });
    }
    vec.close();
    singles.forEach((env) => env.close());
  });

  /** Steps a WorkerVectorEnv and a SyncVectorEnv with the same actions for 25 steps (two autoresets) and expects bit-identical results. */
  async function expectSameAsInProcess(options: WorkerVectorEnvOptions): Promise<void> {
    const local = new SyncVectorEnv(id, numEnvs, kwargs);
    const remote = await WorkerVectorEnv.create(id, numEnvs, { kwargs, ...options });
    try {
      expect(Array.from(remote.reset({ seed: 7 }).obs["observation"]!)).to.deep.equal(
        Array.from(local.reset({ seed: 7 }).obs["observation"]!),
      );
      const rng = new Rng(9);
      for (let t = 0; t < 25; t++) {
        const a = actions(rng);
        const x = local.step(a);
        const y = remote.step(a);
        expect(Array.from(y.obs["observation"]!), `step ${t}`).to.deep.equal(Array.from(x.obs["observation"]!));
        expect(Array.from(y.rewards)).to.deep.equal(Array.from(x.rewards));
        expect(Array.from(y.truncated)).to.deep.equal(Array.from(x.truncated));
        expect(Array.from(y.isSuccess)).to.deep.equal(Array.from(x.isSuccess));
        expect(y.finalObs.map((f) => f && Array.from(f["observation"]!))).to.deep.equal(
          x.finalObs.map((f) => f && Array.from(f["observation"]!)),
        );
      }
    } finally {
      local.close();
      await remote.close();
    }
  }

  it("gives bit-identical results across worker threads and in process, polling or sleeping between steps", async () => {
    await expectSameAsInProcess({ numThreads: 2 });
    await expectSameAsInProcess({ numThreads: 2, spinMs: 0 });
  });

  it("gives bit-identical results on the calling thread alone", async () => {
    await expectSameAsInProcess({ numThreads: 1 });
  });

  it("never starts more threads than there are cores, this one included", async () => {
    const remote = await WorkerVectorEnv.create(id, 8, { numThreads: 64 });
    try {
      expect(remote.numThreads).to.equal(Math.min(8, os.availableParallelism()));
    } finally {
      await remote.close();
    }
  });

  it("rejects a wrong-sized or non-finite action batch by name, and keeps working", async () => {
    const remote = await WorkerVectorEnv.create(id, numEnvs, { kwargs });
    try {
      remote.reset({ seed: 0 });
      expect(() => remote.step(new Float64Array(5))).to.throw(EnvError, /3 rows of 2 actions \(6 numbers\), got 5/);
      const bad = new Float64Array(6);
      bad[3] = Number.NaN;
      expect(() => remote.step(bad)).to.throw(EnvError, /action row 1, entry 1 must be a finite number, got NaN/);
      expect(remote.step(new Float64Array(6)).rewards.length).to.equal(3);
    } finally {
      await remote.close();
      await remote.close();
    }
  });

  it("refuses an unknown id before starting any thread", async () => {
    let error: unknown;
    try {
      await WorkerVectorEnv.create("Nope-v0", 2);
    } catch (e) {
      error = e;
    }
    expect((error as EnvError).code).to.equal("UNKNOWN_ENV");
  });
});
