import { expect } from "chai";
import type { MetricsRow } from "../../agents/run/metrics-log.js";
import { spread, summariseZooRun, wallClock } from "../../reporting/zoo-summary.js";

/** Evaluations every 1000 steps with these success rates, and one training row between each. */
function evalRows(successes: number[]): MetricsRow[] {
  return successes.flatMap((s, i): MetricsRow[] => [
    { step: 1000 * i + 500, episode: 2 * i + 1, "train/return": -50, "train/success": 0 },
    { step: 1000 * (i + 1), episode: 2 * i + 2, "eval/return": -50 * (1 - s), "eval/success": s },
  ]);
}

describe("zoo summaries", () => {
  it("reads final success and the steps to 50% and 90% off the average of the last five evaluations", () => {
    const s = summariseZooRun(evalRows([0, 0, 1, 1, 1, 1, 1, 0.9, 0.9, 1]), 2);
    // Averages from the fifth evaluation on: 0.6 (5k), 0.8, 1, 1, 0.98, 0.96 (10k).
    expect(s.seed).to.equal(2);
    expect(s.steps).to.equal(10_000);
    expect(s.finalSuccess).to.be.closeTo(0.96, 1e-12);
    expect(s.stepsTo).to.deep.equal({ "0.5": 5000, "0.9": 7000 });
    // A lucky first evaluation does not count before the window is full, and a level never reached is null.
    expect(summariseZooRun(evalRows([1, 0, 0, 0, 0, 0]), 0).stepsTo).to.deep.equal({ "0.5": null, "0.9": null });
    expect(summariseZooRun([], 0)).to.deep.include({ steps: 0, finalSuccess: NaN, wallClockS: null, pretrainedSuccess: null });
    // A run that pretrained on BC alone logged that policy's evaluation at step 0.
    const pretrained = [{ step: 0, episode: 0, "pretrain/eval/return": -40, "pretrain/eval/success": 0.55 }, ...evalRows([0, 1])];
    expect(summariseZooRun(pretrained, 0).pretrainedSuccess).to.equal(0.55);
    expect(summariseZooRun(pretrained, 0).steps).to.equal(2000);
  });

  it("adds up the wall-clock of each sitting of a resumed run", () => {
    const rows = [10, 20, 30, 5, 15, 2].map((e, i): MetricsRow => ({
      step: 100 * (i + 1),
      episode: i + 1,
      "train/return": -1,
      "time/elapsed_s": e,
    }));
    // Evaluation rows carry no time; they do not count.
    rows.splice(2, 0, { step: 250, episode: 2, "eval/return": -1 });
    expect(wallClock(rows)).to.equal(30 + 15 + 2);
    // A run with a sitting logged before the field existed has no whole figure.
    expect(wallClock([{ step: 1, episode: 1, "train/return": -1 }, ...rows])).to.equal(null);
    expect(wallClock([])).to.equal(null);
  });

  it("spreads the seeds' values that are numbers", () => {
    expect(spread([0.5, NaN, 1, 0.75])).to.deep.equal({ mean: 0.75, min: 0.5, max: 1 });
    expect(spread([NaN])).to.equal(null);
  });
});
