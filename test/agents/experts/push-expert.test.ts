import { expect } from "chai";
import { PushExpert } from "../../../agents/experts/push-expert.js";
import { failingSeeds } from "./expert-episodes.js";

/** Seeds 0..99: enough episodes for the rate to mean something, few enough to run in seconds. */
const EPISODES = 100;
const MIN_SUCCESS = 0.95;

describe("PushExpert, the scripted expert of the PointMass tasks", () => {
  const cases = [
    { id: "PointMassReach-v0", what: "drives the mass to the goal" },
    { id: "PointMassPush-v0", what: "pushes the block onto its goal" },
    { id: "PointMassPush2-v0", what: "places both blocks, routing each around the other" },
  ];
  for (const { id, what } of cases) {
    it(`${id}: ${what} in ≥ ${MIN_SUCCESS * 100}% of seeds 0..${EPISODES - 1}`, function (this: Mocha.Context) {
      const expert = new PushExpert();
      const failures = failingSeeds(id, EPISODES, (obs) => expert.act(obs));
      const rate = 1 - failures.length / EPISODES;
      this.test!.title += ` (measured ${(rate * 100).toFixed(0)}%)`;
      expect(rate, `${id} failed on seeds ${failures.join(", ")}`).to.be.at.least(MIN_SUCCESS);
    });
  }
});
