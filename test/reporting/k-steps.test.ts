import { expect } from "chai";
import { crossingSteps, kSteps } from "../../reporting/k-steps.js";

describe("env steps as reports write them", () => {
  it("rounds to thousands, and names a missing value", () => {
    expect([kSteps(182_400), kSteps(299_600), kSteps(null), kSteps(null, "–")]).to.deep.equal(["182k", "300k", "never", "–"]);
  });

  it("reads a run that has not crossed a level as 'so far' while it is short of its budget, 'never' after", () => {
    expect(crossingSteps(139_500, 150_000, 300_000)).to.equal("140k");
    expect(crossingSteps(null, 150_000, 300_000)).to.equal("150k so far");
    expect(crossingSteps(null, 300_000, 300_000)).to.equal("never");
  });
});
