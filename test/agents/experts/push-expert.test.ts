import { expect } from "chai";
import { make } from "../../../sim/index.js";
import { PushExpert } from "../../../agents/experts/push-expert.js";

/** Seeds 0..99: enough episodes for the rate to mean something, few enough to run in seconds. */
const EPISODES = 100;
const MIN_SUCCESS = 0.95;

/** Runs the expert for one full episode per seed; returns the seeds not solved at the last step. */
function failingSeeds(id: string, episodes: number): number[] {
  const env = make(id);
  const expert = new PushExpert();
  const failures: number[] = [];
  for (let seed = 0; seed < episodes; seed++) {
    let { obs } = env.reset({ seed });
    let success = false;
    for (let done = false; !done; ) {
      const r = env.step(expert.act(obs));
      obs = r.obs;
      success = r.info.is_success === true;
      done = r.terminated || r.truncated;
    }
    if (!success) failures.push(seed);
  }
  env.close();
  return failures;
}

describe("PushExpert, the scripted expert of the PointMass tasks", () => {
  const cases = [
    { id: "PointMassReach-v0", what: "drives the mass to the goal" },
    { id: "PointMassPush-v0", what: "pushes the block onto its goal" },
    { id: "PointMassPush2-v0", what: "places both blocks, routing each around the other" },
  ];
  for (const { id, what } of cases) {
    it(`${id}: ${what} in ≥ ${MIN_SUCCESS * 100}% of seeds 0..${EPISODES - 1}`, function (this: Mocha.Context) {
      const failures = failingSeeds(id, EPISODES);
      const rate = 1 - failures.length / EPISODES;
      this.test!.title += ` (measured ${(rate * 100).toFixed(0)}%)`;
      expect(rate, `${id} failed on seeds ${failures.join(", ")}`).to.be.at.least(MIN_SUCCESS);
    });
  }
});
