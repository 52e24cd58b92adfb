import { expect } from "chai";
import { EnvError, Rng, checkEnv, envIds, make, specInfo, type GoalEnv, type GoalObs } from "../../sim/index.js";

/** Concatenated bytes of every observation key: equal bytes mean bit-identical states. */
function obsBytes(obs: GoalObs): string {
  return Object.keys(obs)
    .sort()
    .map((k) => Buffer.from(obs[k]!.buffer).toString("hex"))
    .join("|");
}

function rollout(env: GoalEnv, actions: Float64Array[]): string[] {
  return actions.map((a) => {
    const r = env.step(a);
    return `${obsBytes(r.obs)}:${r.reward}:${r.terminated}:${r.truncated}`;
  });
}

function randomActions(env: GoalEnv, n: number, seed: number): Float64Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => env.actionSpace.sample(rng));
}

describe("env contract, over every registered id", () => {
  it("registers the PointMass family", () => {
    expect(envIds()).to.include.members([
      "PointMassReach-v0",
      "PointMassPush-v0",
      "PointMassPush2-v0",
      "PointMassPushDense-v0",
      "PointMassMaze-v0",
    ]);
  });

  for (const id of envIds()) {
    describe(id, () => {
      it("passes checkEnv", () => {
        const env = make(id);
        checkEnv(env);
        env.close();
      });

      it("gives bit-identical trajectories for the same seed", () => {
        const [a, b] = [make(id), make(id)];
        const actions = randomActions(a, 60, 7);
        expect(obsBytes(a.reset({ seed: 42 }).obs)).to.equal(obsBytes(b.reset({ seed: 42 }).obs));
        expect(rollout(a, actions)).to.deep.equal(rollout(b, actions));
        // A seeded reset does not depend on what the env did before.
        b.step(actions[0]!);
        expect(obsBytes(a.reset({ seed: 9 }).obs)).to.equal(obsBytes(b.reset({ seed: 9 }).obs));
        expect(rollout(a, actions)).to.deep.equal(rollout(b, actions));
        a.close();
        b.close();
      });

      it("continues bit-identically from a snapshot, in the same env and in a fresh one", () => {
        const env = make(id);
        env.reset({ seed: 3 });
        const actions = randomActions(env, 80, 11);
        rollout(env, actions.slice(0, 40));
        const snap = env.snapshot();
        const uninterrupted = rollout(env, actions.slice(40));
        env.restore(snap);
        expect(rollout(env, actions.slice(40))).to.deep.equal(uninterrupted);
        const fresh = make(id);
        fresh.restore(snap);
        expect(rollout(fresh, actions.slice(40))).to.deep.equal(uninterrupted);
        env.close();
        fresh.close();
      });

      it("keeps the reward invariant: step reward = computeReward on the step's goals, batched", () => {
        const env = make(id);
        env.reset({ seed: 5 });
        const achieved: number[] = [];
        const desired: number[] = [];
        const rewards: number[] = [];
        for (const a of randomActions(env, 50, 13)) {
          const r = env.step(a);
          expect(env.computeReward(r.obs.achieved_goal, r.obs.desired_goal, r.info)[0]).to.equal(r.reward);
          achieved.push(...r.obs.achieved_goal);
          desired.push(...r.obs.desired_goal);
          rewards.push(r.reward);
        }
        expect(Array.from(env.computeReward(Float64Array.from(achieved), Float64Array.from(desired)))).to.deep.equal(rewards);
        env.close();
      });

      // Bad actions are built from the id's own action size n (2 for a point mass, 3 to 8 for the arm).
      const n = specInfo(id).actionSpace.size;
      const zeros = (k: number): number[] => Array.from({ length: k }, () => 0);
      const badActions: [string, unknown, RegExp][] = [
        ["NaN", [Number.NaN, ...zeros(n - 1)], /action\[0\] must be a finite number, got NaN/],
        ["Infinity", [0, Number.POSITIVE_INFINITY, ...zeros(n - 2)], /action\[1\] must be a finite number, got Infinity/],
        ["too short", zeros(n - 1), new RegExp(`action must have length ${n}, got ${n - 1}`)],
        ["too long", zeros(n + 1), new RegExp(`action must have length ${n}, got ${n + 1}`)],
        ["a string entry", [0, "1", ...zeros(n - 2)], /action\[1\] must be a finite number/],
        ["null", null, new RegExp(`action must be an array of ${n} numbers`)],
      ];
      for (const [what, action, message] of badActions) {
        it(`rejects a bad action (${what}) with a clear error and no change of state`, () => {
          const env = make(id);
          env.reset({ seed: 1 });
          env.step([0.3, -0.2, ...zeros(n - 2)]);
          const before = env.snapshot();
          let error: unknown;
          try {
            env.step(action as number[]);
          } catch (e) {
            error = e;
          }
          expect(error).to.be.instanceOf(EnvError);
          expect((error as EnvError).code).to.equal("BAD_ACTION");
          expect((error as EnvError).message).to.match(message);
          expect(Buffer.from(env.snapshot()).equals(Buffer.from(before))).to.equal(true);
          env.close();
        });
      }

      it("refuses step before reset and after close, and closes twice without error", () => {
        const env = make(id);
        expect(() => env.step(zeros(n))).to.throw(EnvError, /before reset/);
        env.reset({ seed: 0 });
        env.close();
        expect(() => env.close()).not.to.throw();
        expect(() => env.step(zeros(n))).to.throw(EnvError, /closed/);
      });

      it("appends the time left to the observation with timeFeature, and changes nothing else", () => {
        const plain = make(id, { maxEpisodeSteps: 4 });
        const timed = make(id, { maxEpisodeSteps: 4, timeFeature: true });
        checkEnv(timed);
        const size = plain.observationSpace.box("observation").size;
        expect(timed.observationSpace.box("observation").size).to.equal(size + 1);
        expect(timed.spec?.kwargs).to.include({ timeFeature: true });
        // The observation is the plain one with the time left after it; every other key, the reward and the flags are the plain env's.
        const untimed = (obs: GoalObs): string => obsBytes({ ...obs, observation: obs.observation.slice(0, size) });
        const times = [timed.reset({ seed: 8 }).obs.observation[size]];
        expect(untimed(timed.reset({ seed: 8 }).obs)).to.equal(obsBytes(plain.reset({ seed: 8 }).obs));
        let snap: Uint8Array | null = null;
        for (const a of randomActions(plain, 4, 3)) {
          const [p, t] = [plain.step(a), timed.step(a)];
          expect([untimed(t.obs), t.reward, t.terminated, t.truncated]).to.deep.equal([
            obsBytes(p.obs),
            p.reward,
            p.terminated,
            p.truncated,
          ]);
          times.push(t.obs.observation[size]);
          if (times.length === 3) snap = timed.snapshot();
        }
        expect(times).to.deep.equal([1, 0.75, 0.5, 0.25, 0]);
        // A snapshot carries the clock: a fresh env restored from step 2 reads 0.25 after one more step.
        const fresh = make(id, { maxEpisodeSteps: 4, timeFeature: true });
        fresh.restore(snap!);
        expect(fresh.step(randomActions(plain, 1, 5)[0]!).obs.observation[size]).to.equal(0.25);
        [plain, timed, fresh].forEach((e) => e.close());
      });

      it("truncates, and never terminates by default, at maxEpisodeSteps", () => {
        const env = make(id, { maxEpisodeSteps: 7 });
        env.reset({ seed: 2 });
        const flags = randomActions(env, 7, 1)
          .map((a) => env.step(a))
          .map((r) => [r.terminated, r.truncated]);
        expect(flags.slice(0, 6).every(([t, u]) => !t && !u)).to.equal(true);
        expect(flags[6]).to.deep.equal([false, true]);
        env.close();
      });
    });
  }

  it("names an unknown id and suggests near ones", () => {
    expect(() => make("PointMassPsh-v0")).to.throw(EnvError, /unknown env id "PointMassPsh-v0"; did you mean PointMassPush-v0/);
  });

  const badKwargs: [Record<string, unknown>, RegExp][] = [
    [{ distanceThreshold: -1 }, /distanceThreshold/],
    [{ rewardType: "shaped" }, /rewardType/],
    [{ distanceMetric: "l2" }, /distanceMetric/],
    [{ maxEpisodeSteps: 0 }, /maxEpisodeSteps/],
    [{ timeFeature: "yes" }, /timeFeature/],
    [{ frobnicate: true }, /frobnicate/],
  ];
  for (const [kwargs, message] of badKwargs) {
    it(`rejects bad kwargs ${JSON.stringify(kwargs)} naming the key`, () => {
      let error: unknown;
      try {
        make("PointMassPush-v0", kwargs);
      } catch (e) {
        error = e;
      }
      expect((error as EnvError).code).to.equal("BAD_KWARGS");
      expect((error as EnvError).message).to.match(message);
    });
  }

  it("uses the l1 metric when asked", () => {
    const env = make("PointMassPush-v0", { distanceMetric: "l1", distanceThreshold: 0.3 });
    // (0.2, 0.2) apart: euclidean 0.283 would count as placed, l1 0.4 does not.
    expect(Array.from(env.computeReward(Float64Array.of(0, 0), Float64Array.of(0.2, 0.2)))).to.deep.equal([-1]);
    env.close();
  });
});
