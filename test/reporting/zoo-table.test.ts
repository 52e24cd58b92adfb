import { expect } from "chai";
import type { MetricsRow } from "../../agents/run/metrics-log.js";
import { pretrainedLines, type ZooResults } from "../../reporting/zoo-report.js";
import { spread, summariseZooRun } from "../../reporting/zoo-summary.js";
import { zooTable } from "../../reporting/zoo-table.js";

/** A run evaluated every 1000 steps to `steps`, at `success` throughout. */
function run(seed: number, steps: number, success: number): ReturnType<typeof summariseZooRun> {
  const rows = Array.from({ length: steps / 1000 }, (_, i): MetricsRow => ({
    step: 1000 * (i + 1),
    episode: i + 1,
    "eval/success": success,
  }));
  return summariseZooRun(rows, seed);
}

function results(seeds: ReturnType<typeof summariseZooRun>[]): ZooResults {
  return {
    id: "PandaPush-v0",
    env: "PandaPush-v0",
    steps: 10_000,
    successGoal: 0.9,
    expert: { successRate: 0.93, meanReturn: -19, episodes: 100 },
    floor: { successRate: 0.04, meanReturn: -48, episodes: 100 },
    conditions: [
      {
        label: "TQC + HER",
        algo: "tqc",
        seeds,
        finalSuccess: spread(seeds.map((s) => s.finalSuccess)),
        stepsTo: { "0.5": null, "0.9": null },
        wallClockS: null,
      },
    ],
  };
}

const row = (r: ZooResults): string[] => zooTable([r]).split("\n")[2]!.split(" | ");

describe("the zoo table", () => {
  it("counts only the seeds that started, and reads a level not reached while some have not as 'not yet'", () => {
    // Seed 0 finished at 30%; seeds 1 and 2 not started.
    const partly = row(results([run(0, 10_000, 0.3), run(1, 0, 0), run(2, 0, 0)]));
    expect(partly.slice(1, 6)).to.deep.equal(["TQC + HER", "10k", "1 of 3", "30% (30%–30%) / 90%", "not yet"]);
    // All three finished: three seeds, and a level none reached is "not reached".
    const done = row(results([run(0, 10_000, 0.3), run(1, 10_000, 0.3), run(2, 10_000, 0.3)]));
    expect(done.slice(1, 6)).to.deep.equal(["TQC + HER", "10k", "3", "30% (30%–30%) / 90%", "not reached"]);
    // One under way: the budget says how far the started runs are.
    expect(row(results([run(0, 10_000, 0.3), run(1, 4000, 0.3)]))[2]).to.equal("10k (runs at 4k so far)");
  });

  it("gives a row of a budget of its own that budget, and reads its runs as finished there", () => {
    const own = results([run(0, 4000, 0.3), run(1, 4000, 0.3)]);
    own.conditions[0]!.steps = 4000;
    expect(row(own).slice(2, 7)).to.deep.equal(["4k", "2", "30% (30%–30%) / 90%", "not reached", "not reached"]);
  });

  it("has the report say what a row's BC pretraining alone scored, per seed, and say nothing for rows without it", () => {
    const plain = results([run(0, 10_000, 0.3)]);
    expect(pretrainedLines(plain)).to.deep.equal([]);
    const pretrained = results([{ ...run(0, 10_000, 0.3), pretrainedSuccess: 0.55 }, run(1, 0, 0)]);
    expect(pretrainedLines(pretrained)).to.deep.equal([
      "- TQC + HER: BC pretraining alone, before the first env step, scored 55%, – (per seed).",
    ]);
  });
});
