import { expect } from "chai";
import { assignEnvs, maxThreads, spinBudget } from "../../sim/vector/thread-plan.js";

describe("vector env thread plan", () => {
  it("never plans more threads than cores, nor than envs, nor than asked", () => {
    for (const cores of [1, 2, 3, 8, 64]) {
      for (const numEnvs of [1, 2, 8, 100]) {
        for (const requested of [undefined, 1, 2, 1000]) {
          const n = maxThreads(numEnvs, requested, cores);
          expect(n, `cores ${cores}, envs ${numEnvs}, asked ${requested}`).to.be.within(1, Math.min(cores, numEnvs, requested ?? Infinity));
        }
      }
    }
    expect(maxThreads(8, undefined, 2)).to.equal(2);
    expect(maxThreads(8, 16, 1)).to.equal(1);
  });

  it("deals every env to one thread, in contiguous slices, the calling thread's the smallest", () => {
    for (const [numEnvs, threads] of [
      [8, 2],
      [8, 3],
      [5, 2],
      [3, 3],
      [7, 1],
    ] as const) {
      const owner = Array.from(assignEnvs(numEnvs, threads));
      const counts = Array.from({ length: threads }, (_, t) => owner.filter((o) => o === t).length);
      expect(owner, `${numEnvs} envs on ${threads}`).to.deep.equal([...owner].sort((a, b) => a - b));
      expect(counts.reduce((a, b) => a + b)).to.equal(numEnvs);
      expect(Math.max(...counts) - Math.min(...counts)).to.be.at.most(1);
      expect(counts[0]).to.equal(Math.min(...counts));
    }
  });

  it("polls only while the load average leaves the cores free", () => {
    expect(spinBudget(0.5, 2, 1.2)).to.equal(0.5);
    expect(spinBudget(0.5, 2, 2.4)).to.equal(0.5);
    expect(spinBudget(0.5, 2, 3.1)).to.equal(0);
    expect(spinBudget(0.5, 8, 4)).to.equal(0.5);
  });
});
