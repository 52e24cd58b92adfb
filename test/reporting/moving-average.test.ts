import { expect } from "chai";
import { trailingMovingAverage } from "../../reporting/moving-average.js";
import { aggregateRuns } from "../../reporting/seed-aggregate.js";

describe("trailingMovingAverage", () => {
  it("averages the last `window` values, and what there is at the start", () => {
    expect(Array.from(trailingMovingAverage([1, 2, 3, 4, 5, 6], 3))).to.deep.equal([1, 1.5, 2, 3, 4, 5]);
  });

  it("measures the window along a key: the last 100 episodes whatever the logging interval", () => {
    // One row every 50 episodes: a 100-episode window holds two rows.
    const episodes = [50, 100, 150, 200];
    expect(Array.from(trailingMovingAverage([0, 2, 4, 6], 100, episodes))).to.deep.equal([0, 1, 3, 5]);
  });

  it("matches the plain definition on a long series", () => {
    const values = Array.from({ length: 500 }, (_, i) => Math.sin(i) * 100 - 100);
    const smoothed = trailingMovingAverage(values, 100);
    for (const i of [0, 57, 99, 100, 250, 499]) {
      const win = values.slice(Math.max(0, i - 99), i + 1);
      expect(smoothed[i]).to.be.closeTo(win.reduce((a, b) => a + b, 0) / win.length, 1e-9);
    }
  });
});

describe("aggregateRuns", () => {
  it("gives the mean across seeds on a common grid with a 95% band within the runs' range", () => {
    const agg = aggregateRuns(
      [
        { x: [0, 100], y: [0, 0] },
        { x: [0, 50, 100], y: [2, 2, 2] },
      ],
      3,
    );
    expect(Array.from(agg.x)).to.deep.equal([0, 50, 100]);
    expect(Array.from(agg.mean)).to.deep.equal([1, 1, 1]);
    // Two samples 0 and 2: sd = sqrt(2), se = 1, mean ± 1.96 is [-0.96, 2.96], held to [0, 2].
    expect(agg.lower[1]).to.equal(0);
    expect(agg.upper[1]).to.equal(2);
    // Five samples 0, 0, 0, 0, 10: mean 2, sd sqrt(20), se 2, mean ± 3.92 is [-1.92, 5.92]; only
    // the lower end leaves the samples' range.
    const five = aggregateRuns(
      [0, 0, 0, 0, 10].map((y) => ({ x: [0, 1], y: [y, y] })),
      2,
    );
    expect(five.mean[0]).to.equal(2);
    expect(five.lower[0]).to.equal(0);
    expect(five.upper[0]).to.be.closeTo(5.92, 1e-12);
  });

  it("interpolates between logged points and uses only the runs covering a grid point", () => {
    const agg = aggregateRuns(
      [
        { x: [0, 100], y: [0, 10] },
        { x: [0, 50], y: [4, 4] },
      ],
      5,
    );
    expect(Array.from(agg.count)).to.deep.equal([2, 2, 2, 1, 1]);
    expect(Array.from(agg.mean)).to.deep.equal([2, 3.25, 4.5, 7.5, 10]);
    expect(agg.upper[4]).to.equal(agg.lower[4]);
  });
});
