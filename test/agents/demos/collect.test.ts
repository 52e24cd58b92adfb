import { expect } from "chai";
import { make } from "../../../sim/index.js";
import { PushExpert } from "../../../agents/experts/push-expert.js";
import { collectDemos, type CollectProgress } from "../../../agents/demos/collect.js";
import { demoRow, demoSteps, numEpisodes } from "../../../agents/demos/demo-set.js";
import { oneBlockAtATime, singleBlockView } from "../../../agents/demos/one-block-at-a-time.js";

describe("demo collection", () => {
  it("keeps only the episodes that end in success, with their seeds", () => {
    const env = make("PointMassReach-v0");
    const expert = new PushExpert();
    // Solves the episodes whose goal lies left of the origin and idles on the others.
    const policy = (obs: Parameters<PushExpert["act"]>[0]): Float64Array =>
      obs.desired_goal[0]! < 0 ? expert.act(obs) : new Float64Array(2);
    const log: CollectProgress[] = [];
    const set = collectDemos({
      env,
      envId: "PointMassReach-v0",
      policy,
      source: "test",
      episodes: 3,
      maxEpLen: 60,
      seed: 5,
      onEpisode: (p) => log.push(p),
    });
    env.close();
    expect(numEpisodes(set)).to.equal(3);
    expect(log.some((p) => !p.success)).to.equal(true);
    const keptSeeds = log.flatMap((p, i) => (p.success ? [5 + i] : []));
    expect(set.seeds).to.deep.equal(keptSeeds);
    for (let e = 0; e < 3; e++) expect(demoRow(set, "desired_goals", e, 0)[0]).to.be.below(0);
    expect(demoSteps(set)).to.equal(set.episodeLengths.reduce((a, b) => a + b));
  });

  it("stops at a number of kept steps, and gives up on a policy that never succeeds", () => {
    const env = make("PointMassReach-v0");
    const expert = new PushExpert();
    const set = collectDemos({
      env,
      envId: "PointMassReach-v0",
      policy: (o) => expert.act(o),
      source: "expert",
      steps: 100,
      maxEpLen: 40,
      seed: 0,
    });
    expect(demoSteps(set)).to.be.at.least(100);
    expect(() =>
      collectDemos({ env, envId: "PointMassReach-v0", policy: () => [0, 0], source: "idle", episodes: 1, maxEpLen: 5, maxAttempts: 4 }),
    ).to.throw(/only 0 of 4 episodes of idle on PointMassReach-v0 succeeded/);
    env.close();
  });

  it("points a single-block policy at one block at a time: [mass 4, block i 4, goal i 2]", () => {
    const env = make("PointMassPush2-v0");
    const obs = {
      observation: Float64Array.from([0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23]),
      achieved_goal: Float64Array.from([10, 11, 20, 21]),
      desired_goal: Float64Array.from([10.1, 11, 50, 51]),
      controllable_achieved_goal: Float64Array.from([0, 1]),
      full_positional_state: Float64Array.from([0, 1, 10, 11, 20, 21]),
    };
    const view = singleBlockView(obs, 1);
    expect([...view.observation]).to.deep.equal([0, 1, 2, 3, 20, 21, 22, 23]);
    expect([...view.desired_goal]).to.deep.equal([50, 51]);
    expect([...view.full_positional_state]).to.deep.equal([0, 1, 20, 21]);
    // Block 0 is within the threshold of its goal, so the policy is shown block 1.
    const seen: number[][] = [];
    oneBlockAtATime((o) => (seen.push([...o.desired_goal]), [0, 0]), env)(obs);
    obs.desired_goal[0] = 12;
    oneBlockAtATime((o) => (seen.push([...o.desired_goal]), [0, 0]), env)(obs);
    expect(seen).to.deep.equal([
      [50, 51],
      [12, 11],
    ]);
    env.close();
  });
});
