import { expect } from "chai";
import { runsInProgress } from "../../reporting/runs-in-progress.js";

describe("runsInProgress", () => {
  it("names each condition once, its seeds under way with their steps, then those not started", () => {
    const line = runsInProgress([
      { label: "Relay", budget: 250_000, seeds: [0, 1, 2].map((seed) => ({ seed, steps: [203_400, 150_000, 250_000][seed]! })) },
      { label: "Ablation", budget: 100_000, seeds: [0, 1, 2].map((seed) => ({ seed, steps: seed === 0 ? 67_200 : 0 })) },
      { label: "BC", budget: 100_000, seeds: [{ seed: 2, steps: 0 }] },
    ]);
    expect(line).to.equal(
      "6 run(s) short of the budget: Relay: seeds 0 at 203k, 1 at 150k; Ablation: seed 0 at 67k, seeds 1 and 2 not started; BC: seed 2 not started",
    );
  });

  it("is null once every run has reached its budget", () => {
    expect(runsInProgress([{ label: "Flat", budget: 1000, seeds: [{ seed: 0, steps: 1000 }] }])).to.equal(null);
  });
});
