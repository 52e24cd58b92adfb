import { expect } from "chai";
import { ThreadTuner, assignEnvs, maxThreads, spinBudget } from "../../sim/vector/thread-plan.js";

/** Feeds the tuner vector steps that take `msAt(threads)` ms on each thread count, for `steps` steps; returns the counts it ran on. */
function drive(tuner: ThreadTuner, steps: number, msAt: (threads: number) => number): number[] {
  const seen: number[] = [];
  for (let t = 0; t < steps; t++) {
    tuner.record(msAt(tuner.threads));
    seen.push(tuner.threads);
  }
  return seen;
}

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
    for (const [numEnvs, threads] of [[8, 2], [8, 3], [5, 2], [3, 3], [7, 1]] as const) {
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

  it("keeps the thread count when a trial of another is not faster by the margin, and tries ever more rarely", () => {
    const tuner = new ThreadTuner(2);
    const seen = drive(tuner, 10_000, (threads) => (threads === 2 ? 1 : 1.02));
    expect(tuner.threads).to.equal(2);
    // A trial starts where the count leaves 2 after a longer stretch on it than a trial's slot (100 ms).
    const trialStarts = seen.flatMap((n, t) => (n === 1 && t >= 200 && seen.slice(t - 200, t).every((x) => x === 2) ? [t] : []));
    const gaps = trialStarts.slice(1).map((t, k) => t - trialStarts[k]!);
    expect(gaps.length).to.be.at.least(2);
    gaps.slice(1).forEach((g, k) => expect(g, "gap between trials").to.be.greaterThan(gaps[k]!));
  });

  it("moves to the count that steps faster, either way, and settles there", () => {
    // Later trials still visit the other count now and then: the settled one holds most steps.
    const share = (seen: number[], threads: number) => seen.slice(-1500).filter((n) => n === threads).length / 1500;
    expect(share(drive(new ThreadTuner(2), 4000, (threads) => (threads === 2 ? 1.3 : 1)), 1)).to.be.above(0.8);
    expect(share(drive(new ThreadTuner(2, 1), 4000, (threads) => (threads === 2 ? 0.6 : 1)), 2)).to.be.above(0.8);
  });

  it("never asks for a move with a single thread", () => {
    const tuner = new ThreadTuner(1);
    for (let t = 0; t < 2000; t++) expect(tuner.record(1)).to.equal(null);
  });
});
