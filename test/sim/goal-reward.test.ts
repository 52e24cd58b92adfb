import { expect } from "chai";
import { goalReward, goalSuccess, type GoalRewardConfig } from "../../sim/tasks/goal-reward.js";

const config = (scoring: GoalRewardConfig["scoring"], rewardType: GoalRewardConfig["rewardType"] = "sparse"): GoalRewardConfig => ({
  rewardType,
  distanceMetric: "euclidean",
  distanceThreshold: 0.5,
  scoring,
});
const f = (...xs: number[]) => Float64Array.from(xs);

describe("the goal reward, in its two scorings", () => {
  // Two 2-D goals: the first pair 0.3 off (placed), the second 0.4 off (placed), 0.5 together.
  const achieved = f(0, 0, 0, 0);
  const desired = f(0.3, 0, 0, 0.4);

  it("pairs (the post's): each pair on its own, so both are placed", () => {
    expect(Array.from(goalReward(achieved, desired, 4, config("pairs")))).to.deep.equal([0]);
    expect(goalSuccess(achieved, desired, config("pairs"))).to.equal(true);
    expect(Array.from(goalReward(achieved, f(3, 0, 0, 0.4), 4, config("pairs")))).to.deep.equal([-1]);
    expect(Array.from(goalReward(achieved, f(3, 0, 0, 4), 4, config("pairs")))).to.deep.equal([-2]);
  });

  it("whole (panda-gym's): one distance over the goal, and exactly at the threshold is not a success", () => {
    expect(Array.from(goalReward(achieved, desired, 4, config("whole")))).to.deep.equal([0]);
    expect(goalSuccess(achieved, desired, config("whole"))).to.equal(false);
    expect(Array.from(goalReward(achieved, desired, 4, config("whole", "dense")))).to.deep.equal([-0.5]);
  });

  it("scores a zero dense distance as the sources do: +0 summed over pairs, -0 as one distance", () => {
    expect(Object.is(goalReward(f(1, 2), f(1, 2), 2, config("pairs", "dense"))[0], 0)).to.equal(true);
    expect(Object.is(goalReward(f(1, 2), f(1, 2), 2, config("whole", "dense"))[0], -0)).to.equal(true);
  });

  for (const scoring of ["pairs", "whole"] as const) {
    it(`${scoring}: batches rows of goalDim and refuses goals that do not split`, () => {
      expect(goalReward(f(0, 0, 9, 9), f(0, 0, 0, 0), 2, config(scoring)).length).to.equal(2);
      expect(() => goalReward(f(0, 0, 0), f(0, 0, 0), 2, config(scoring))).to.throw(RangeError, /do not split/);
      expect(() => goalReward(f(0, 0), f(0, 0, 0, 0), 2, config(scoring))).to.throw(RangeError, /achieved has 2/);
    });
  }
});
