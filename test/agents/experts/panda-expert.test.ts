import { expect } from "chai";
import { pandaExpertFor } from "../../../agents/experts/panda-expert.js";
import { failingSeeds } from "./expert-episodes.js";

/** Seeds 0..99, as the acceptance asks: ≥ 90% success each. */
const EPISODES = 100;
const MIN_SUCCESS = 0.9;

describe("Panda scripted experts (ee control)", () => {
  const cases = [
    { id: "PandaReach-v0", what: "moves the tool to the goal" },
    { id: "PandaPush-v0", what: "lines up behind the cube and pushes it onto the goal" },
    { id: "PandaPickAndPlace-v0", what: "grasps the cube and holds it on the goal, in the air or on the table" },
  ];
  for (const { id, what } of cases) {
    it(`${id}: ${what} in ≥ ${MIN_SUCCESS * 100}% of seeds 0..${EPISODES - 1}`, function (this: Mocha.Context) {
      const failures = failingSeeds(id, EPISODES, pandaExpertFor(id)!);
      const rate = 1 - failures.length / EPISODES;
      this.test!.title += ` (measured ${(rate * 100).toFixed(0)}%)`;
      expect(rate, `${id} failed on seeds ${failures.join(", ")}`).to.be.at.least(MIN_SUCCESS);
    });
  }

  // Stack's expert is the "if you can": it measures 86% over the same seeds, short of
  // the 90% the three above must meet, so this guards it against regressions at 80% and says so.
  it("PandaStack-v0: places one cube and stacks the other on it in ≥ 80% of seeds 0..99 (below the 90% bar)", function (this: Mocha.Context) {
    const id = "PandaStack-v0";
    const failures = failingSeeds(id, EPISODES, pandaExpertFor(id)!);
    const rate = 1 - failures.length / EPISODES;
    this.test!.title += ` (measured ${(rate * 100).toFixed(0)}%)`;
    expect(rate, `${id} failed on seeds ${failures.join(", ")}`).to.be.at.least(0.8);
  });

  it("has an expert for the ee ids with one (dense too) and none for Slide or joint control", () => {
    expect(pandaExpertFor("PandaPushDense-v0")).to.be.a("function");
    expect(pandaExpertFor("PandaStack-v0")).to.be.a("function");
    expect(pandaExpertFor("PandaSlide-v0")).to.equal(undefined);
    expect(pandaExpertFor("PandaPushJoints-v0")).to.equal(undefined);
  });
});
