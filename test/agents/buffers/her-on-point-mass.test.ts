import { expect } from "chai";
import { goalEnvReward, HerReplayBuffer } from "../../../agents/buffers/her-replay-buffer.js";
import { make, Rng } from "../../../sim/index.js";

describe("HerReplayBuffer on PointMassReach-v0", () => {
  it("relabels with the env's own batched computeReward on the next achieved goal", () => {
    const env = make("PointMassReach-v0", { maxEpisodeSteps: 40 });
    const rng = new Rng(5);
    let obs = env.reset({ seed: 5 }).obs;
    const buffer = new HerReplayBuffer({
      capacity: 1000,
      observationDim: obs.observation.length,
      goalDim: obs.desired_goal.length,
      actionDim: env.actionSpace.size,
      computeReward: goalEnvReward(env),
      rng: new Rng(6),
    });
    // The next achieved goal of each stored step, found again from its next observation.
    const nextAchievedByNextObs = new Map<string, Float64Array>();
    const key = (observation: ArrayLike<number>): string => Array.from(Float32Array.from(observation)).join(",");
    for (let episode = 0; episode < 3; episode++) {
      for (let done = false; !done;) {
        const action = env.actionSpace.sample(rng);
        const step = env.step(action);
        buffer.add({
          observation: obs.observation,
          desiredGoal: obs.desired_goal,
          action,
          reward: step.reward,
          nextObservation: step.obs.observation,
          nextAchievedGoal: step.obs.achieved_goal,
          terminated: step.terminated,
          truncated: step.truncated,
        });
        nextAchievedByNextObs.set(key(step.obs.observation), Float64Array.from(Float32Array.from(step.obs.achieved_goal)));
        done = step.terminated || step.truncated;
        obs = done ? env.reset().obs : step.obs;
      }
    }
    expect(buffer.size).to.equal(120);

    const batch = buffer.sample(256);
    const obsWidth = buffer.observationDim + buffer.goalDim;
    let checked = 0;
    for (let i = 0; i < batch.batchSize; i++) {
      if (batch.relabelled[i] !== 1) continue;
      const row = batch.nextObs.subarray(i * obsWidth, (i + 1) * obsWidth);
      const achieved = nextAchievedByNextObs.get(key(row.subarray(0, buffer.observationDim)))!;
      const goal = Float64Array.from(row.subarray(buffer.observationDim));
      expect(batch.rew[i]).to.equal(env.computeReward(achieved, goal)[0]);
      checked++;
    }
    expect(checked).to.equal(204);
    // 'future' includes the step's own next achieved goal, so some relabelled rows succeed.
    expect(Array.from(batch.rew.subarray(0, checked))).to.include(0);
    env.close();
  });
});
