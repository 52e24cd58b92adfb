import { expect } from "chai";
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "../../../agents/nn/backend.js";
import { Hac, type LevelActor } from "../../../agents/hac/hac.js";
import type { HacStepEvents, StoredTransition } from "../../../agents/hac/hac-rollout.js";
import { evaluateHac } from "../../../agents/hac/evaluate-hac.js";
import { parseHacConfig } from "../../../agents/hac/hac-config.js";
import type { GoalEnv, Info } from "../../../sim/index.js";
import { PointEnv, STEP, pointEnv, timeLimited } from "./point-env.js";

/** A scripted level: records every call (input and whether it was asked to be deterministic). */
class Script implements LevelActor {
  readonly calls: { input: number[]; deterministic: boolean }[] = [];
  constructor(private readonly fn: (input: Float32Array, call: number) => number[]) {}
  act(input: Float32Array, deterministic: boolean): Float32Array {
    this.calls.push({ input: [...input], deterministic });
    return Float32Array.from(this.fn(input, this.calls.length - 1));
  }
}

const clamp1 = (x: number): number => Math.max(-1, Math.min(1, x));
/** The bottom level: straight at its subgoal (input = point ‖ subgoal), at most 0.1 per step. */
const greedy = (): Script => new Script((x) => [clamp1((x[2]! - x[0]!) / STEP), clamp1((x[3]! - x[1]!) / STEP)]);
/** A level above: the given subgoals in turn, the last one repeated. */
const subgoals = (...list: number[][]): Script => new Script((_, i) => list[Math.min(i, list.length - 1)]!);

const tiny = { sac: { hidden: [8, 8], batchSize: 4 } };

interface Episode {
  stored: StoredTransition[];
  events: HacStepEvents[];
}

function agentWith(env: GoalEnv, config: Record<string, unknown>, actors: Record<number, LevelActor>): Hac {
  return new Hac(env, { ...tiny, ...config }, { seed: 1, bufferCapacity: 500, actors });
}

/** One training episode of `agent` on `env`, collecting what the buffers received. */
function trainEpisode(agent: Hac, env: GoalEnv): Episode {
  const stored: StoredTransition[] = [];
  const events: HacStepEvents[] = [];
  agent.onStore = (s) => stored.push(s);
  let { obs } = env.reset({ seed: 0 });
  const rollout = agent.rollout(obs, "train");
  for (;;) {
    const action = rollout.act(obs);
    const r = env.step(action);
    events.push(rollout.step(action, r));
    obs = r.obs;
    if (r.terminated || r.truncated) return { stored, events };
  }
}

const atLevel = (e: Episode, level: number): StoredTransition[] => e.stored.filter((s) => s.level === level);
const windowLengths = (e: Episode, level = 1): number[] =>
  e.events.flatMap((ev) => ev.closed.filter((w) => w.level === level).map((w) => w.envSteps));
const near = (got: ArrayLike<number>, want: number[]): void => {
  expect(got.length).to.equal(want.length);
  want.forEach((w, d) => expect(got[d]).to.be.closeTo(w, 1e-6));
};

describe("agents/hac Hac: what the buffers store", () => {
  const agents: Hac[] = [];
  const make = (env: GoalEnv, config: Record<string, unknown>, actors: Record<number, LevelActor>): Hac => {
    const a = agentWith(env, config, actors);
    agents.push(a);
    return a;
  };
  before(async () => {
    await selectBackend("wasm");
  });
  afterEach(() => {
    for (const a of agents.splice(0)) a.dispose();
  });

  it("stores every env step at the bottom with the subgoal as goal, one HER episode per window", () => {
    const env = pointEnv(12);
    const low = greedy();
    const agent = make(env, {}, { 0: low, 1: subgoals([0.3, 0], [2, 0]) });
    const e = trainEpisode(agent, env);
    // (0.3, 0) is reached at the 2nd step (within 0.15), then (2, 0) is out of reach for two windows.
    expect(windowLengths(e)).to.deep.equal([2, 5, 5]);
    const bottom = atLevel(e, 0);
    expect(bottom).to.have.length(12);
    expect(bottom.map((s) => s.transition.truncated)).to.deep.equal([
      false,
      true,
      false,
      false,
      false,
      false,
      true,
      false,
      false,
      false,
      false,
      true,
    ]);
    // Reward against the subgoal: -1 on the way, 0 where it is reached; the goal is the subgoal.
    expect(bottom.map((s) => s.transition.reward)).to.deep.equal([-1, 0, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1]);
    near(bottom[0]!.transition.desiredGoal, [0.3, 0]);
    near(bottom[2]!.transition.desiredGoal, [2, 0]);
    near(bottom[1]!.transition.nextAchievedGoal, [0.2, 0]);
    expect(agent.levels[0]!.buffer.size).to.equal(12);
    // Window 0 is a subgoal test (the run's first window): the bottom level acts deterministically.
    expect(low.calls.map((c) => c.deterministic)).to.deep.equal([true, true, ...new Array<boolean>(10).fill(false)]);
  });

  it("stores one transition per window above, with the hindsight action and the env goal", () => {
    const env = pointEnv(12);
    const agent = make(env, {}, { 0: greedy(), 1: subgoals([0.3, 0], [2, 0]) });
    const top = atLevel(trainEpisode(agent, env), 1);
    expect(top).to.have.length(3);
    const [w0, w1, w2] = top.map((s) => s.transition);
    near(w0!.observation, [0, 0]);
    near(w0!.desiredGoal, [2, 2]);
    near(w0!.action, [0.2, 0]); // where the point got, not the commanded (0.3, 0)
    near(w0!.nextObservation, [0.2, 0]);
    near(w0!.nextAchievedGoal, [0.2, 0]);
    near(w1!.observation, [0.2, 0]);
    near(w1!.action, [0.7, 0]);
    near(w2!.action, [1.2, 0]);
    // The reward is the env reward of the window's last step; the one HER episode is the env episode.
    expect(top.map((s) => s.transition.reward)).to.deep.equal([-1, -1, -1]);
    expect(top.map((s) => s.transition.truncated)).to.deep.equal([false, false, true]);
    expect(top.map((s) => [s.window!.tested, s.window!.reached, s.window!.penalised])).to.deep.equal([
      [true, true, false],
      [false, false, false],
      [false, false, false],
    ]);
    expect(agent.levels[1]!.buffer.size).to.equal(3);
  });

  it("replans as soon as the subgoal is reached, and only after k steps without earlyReplan", () => {
    for (const earlyReplan of [true, false]) {
      const env = pointEnv(12);
      const high = subgoals([0.3, 0], [2, 0]);
      const e = trainEpisode(make(env, { earlyReplan }, { 0: greedy(), 1: high }), env);
      expect(windowLengths(e), `earlyReplan ${earlyReplan}`).to.deep.equal(earlyReplan ? [2, 5, 5] : [5, 5, 2]);
      // The second subgoal is chosen from the state the first window ended in.
      expect(high.calls[1]!.input[0]).to.be.closeTo(earlyReplan ? 0.2 : 0.3, 1e-6);
    }
  });

  describe("subgoal-testing variants (an out-of-reach subgoal, windows 0, 3, ... tested)", () => {
    const cases = [
      { name: "a: test, always substitute", config: { subgoalTesting: "a" }, det: true, action: ["h", "h", "h"], reward: [-5, -1, -1] },
      {
        name: "b: test, keep and penalise the original",
        config: { subgoalTesting: "b" },
        det: true,
        action: ["o", "h", "h"],
        reward: [-5, -1, -1],
      },
      { name: "c: no test, always substitute", config: { subgoalTesting: "c" }, det: false, action: ["h", "h", "h"], reward: [-1, -1, -1] },
      {
        name: "d: no test, keep every original (fraction 1)",
        config: { subgoalTesting: "d", keepOriginalFraction: 1 },
        det: false,
        action: ["o", "o", "o"],
        reward: [-1, -1, -1],
      },
      {
        name: "d: no test, keep none (fraction 0)",
        config: { subgoalTesting: "d", keepOriginalFraction: 0 },
        det: false,
        action: ["h", "h", "h"],
        reward: [-1, -1, -1],
      },
      {
        name: "a without action substitution",
        config: { subgoalTesting: "a", actionSubstitution: false },
        det: true,
        action: ["o", "o", "o"],
        reward: [-5, -1, -1],
      },
    ] as const;
    for (const c of cases) {
      it(c.name, () => {
        const env = pointEnv(15);
        const low = greedy();
        const top = atLevel(trainEpisode(make(env, c.config, { 0: low, 1: subgoals([2, 0]) }), env), 1);
        const hindsight = [
          [0.5, 0],
          [1.0, 0],
          [1.5, 0],
        ];
        top.forEach((s, w) => near(s.transition.action, c.action[w] === "h" ? hindsight[w]! : [2, 0]));
        // HER's relabelled copies are hindsight goal transitions: the hindsight action whatever the
        // real row keeps (the commanded subgoal only when substitution is off).
        const substitutes = !("actionSubstitution" in c.config);
        top.forEach((s, w) => near(s.transition.relabelAction!, substitutes ? hindsight[w]! : [2, 0]));
        expect(top.map((s) => s.transition.reward)).to.deep.equal(c.reward);
        expect(top.map((s) => s.window!.storedAction)).to.deep.equal(c.action.map((a) => (a === "h" ? "hindsight" : "original")));
        expect(low.calls.slice(0, 5).every((call) => call.deterministic)).to.equal(c.det);
        expect(low.calls.slice(5).some((call) => call.deterministic)).to.equal(false);
      });
    }

    it("d keeps roughly the configured fraction of originals", () => {
      const env = pointEnv(500);
      const still = new Script(() => [0, 0]);
      const top = atLevel(
        trainEpisode(make(env, { subgoalTesting: "d", keepOriginalFraction: 0.2 }, { 0: still, 1: subgoals([2, 0]) }), env),
        1,
      );
      const kept = top.filter((s) => s.window!.storedAction === "original").length / top.length;
      expect(top).to.have.length(100);
      expect(kept).to.be.within(0.1, 0.3);
    });
  });

  it("relative subgoals are offsets from the window's start; the hindsight action is the offset reached", () => {
    const env = pointEnv(6);
    const e = trainEpisode(make(env, { relativeSubgoals: true }, { 0: greedy(), 1: subgoals([0.3, 0]) }), env);
    expect(windowLengths(e)).to.deep.equal([2, 2, 2]);
    const bottom = atLevel(e, 0);
    near(bottom[0]!.transition.desiredGoal, [0.3, 0]);
    near(bottom[2]!.transition.desiredGoal, [0.5, 0]); // (0.2, 0) + (0.3, 0)
    near(bottom[4]!.transition.desiredGoal, [0.7, 0]);
    const top = atLevel(e, 1);
    top.forEach((s) => near(s.transition.action, [0.2, 0]));
    near(top[1]!.window!.subgoal, [0.5, 0]);
    near(top[1]!.window!.output, [0.3, 0]);
  });

  it("centres absolute subgoals on a subgoal space that is not centred on 0 (auto: half its width)", () => {
    const env = pointEnv(4, [0, 0], [2, 2], [0, 2]);
    const agent = make(env, {}, { 0: greedy(), 1: subgoals([-0.5, -0.8]) });
    near(agent.subgoalCenter, [1, 1]);
    near(agent.subgoalLimit, [1, 1]);
    const [w] = atLevel(trainEpisode(agent, env), 1);
    near(w!.window!.subgoal, [0.5, 0.2]); // centre + output
    // Four greedy steps of at most 0.1 per axis reach (0.4, 0.2); stored as the output that names it.
    near(w!.transition.action, [-0.6, -0.8]);
  });

  it("clips subgoals to the limit (auto: the space's bound, at most 2.5)", () => {
    const env = pointEnv(5);
    const agent = make(env, { subgoalTesting: "b" }, { 0: greedy(), 1: subgoals([4, -4]) });
    near(agent.subgoalLimit, [2.5, 2.5]);
    const [w] = atLevel(trainEpisode(agent, env), 1);
    near(w!.transition.action, [2.5, -2.5]);
    expect(make(env, { subgoalLimit: 1 }, {}).levels[1]!.actLimit).to.deep.equal(Float64Array.of(1, 1));
  });

  it("places subgoals in a given box: its centre plus the output, clipped to its half-widths", () => {
    const env = pointEnv(5);
    const agent = make(env, { subgoalTesting: "b", subgoalLimit: { low: [0, -1], high: [1, 0] } }, { 0: greedy(), 1: subgoals([4, 0.1]) });
    near(agent.subgoalCenter, [0.5, -0.5]);
    near(agent.subgoalLimit, [0.5, 0.5]);
    const [w] = atLevel(trainEpisode(agent, env), 1);
    near(w!.window!.subgoal, [1, -0.4]);
    expect(() => make(env, { subgoalLimit: { low: [0], high: [1] } }, {})).to.throw(/low and high need 2 values each/);
    expect(() => make(env, { subgoalLimit: { low: [0, 1], high: [1, 1] } }, {})).to.throw(/each low below its high/);
  });

  describe("quirk switches change exactly what they name", () => {
    it("lowLevelEnvReward: the bottom level's real transitions carry the env reward", () => {
      const run = (faithful: boolean): StoredTransition[] => {
        const env = pointEnv(4);
        return atLevel(
          trainEpisode(make(env, { quirks: { lowLevelEnvReward: faithful } }, { 0: greedy(), 1: subgoals([0.3, 0]) }), env),
          0,
        );
      };
      const fixed = run(false);
      const faithful = run(true);
      expect(fixed.map((s) => s.transition.reward)).to.deep.equal([-1, 0, 0, 0]);
      expect(faithful.map((s) => s.transition.reward)).to.deep.equal([-1, -1, -1, -1]);
      // Nothing else changes: same windows, same goals, same actions.
      const strip = (s: StoredTransition) => ({ ...s.transition, reward: 0 });
      expect(faithful.map(strip)).to.deep.equal(fixed.map(strip));
    });

    it("herRelabelledRewardZero: every level's buffer relabels as the author's HER did", () => {
      const env = pointEnv(4);
      expect(make(env, {}, {}).levels.map((l) => l.buffer.faithful)).to.deep.equal([false, false]);
      expect(make(env, { levels: 3, quirks: { herRelabelledRewardZero: true } }, {}).levels.map((l) => l.buffer.faithful)).to.deep.equal([
        true,
        true,
        true,
      ]);
    });

    it("dropLastWindow: the window the episode's end cuts off is not stored above the bottom", () => {
      for (const dropLastWindow of [false, true]) {
        const env = pointEnv(12);
        const e = trainEpisode(make(env, { quirks: { dropLastWindow } }, { 0: greedy(), 1: subgoals([2, 0]) }), env);
        const top = atLevel(e, 1);
        expect(top.map((s) => s.window!.envSteps)).to.deep.equal(dropLastWindow ? [5, 5] : [5, 5, 2]);
        expect(top[top.length - 1]!.transition.truncated).to.equal(true);
        expect(atLevel(e, 0)).to.have.length(12);
        expect(e.events.reduce((n, ev) => n + ev.stored[1]!, 0)).to.equal(top.length);
      }
    });

    it("testCountPerEpisode: tests fall on windows 0, 3, ... of each episode instead of the run", () => {
      for (const perEpisode of [false, true]) {
        const env = pointEnv(10);
        const agent = make(env, { quirks: { testCountPerEpisode: perEpisode } }, { 0: greedy(), 1: subgoals([2, 0]) });
        const tested = [0, 1].map(() => atLevel(trainEpisode(agent, env), 1).map((s) => s.window!.tested));
        expect(tested).to.deep.equal(
          perEpisode
            ? [
                [true, false],
                [true, false],
              ]
            : [
                [true, false],
                [false, true],
              ],
        );
        expect(agent.windowCounters[1]).to.equal(perEpisode ? 0 : 4);
      }
    });

    it("highLevelReward: the last step's reward or the window's sum", () => {
      for (const highLevelReward of ["last", "sum"] as const) {
        const env = pointEnv(10);
        const top = atLevel(
          trainEpisode(make(env, { highLevelReward, subgoalTesting: "c" }, { 0: greedy(), 1: subgoals([2, 0]) }), env),
          1,
        );
        expect(top.map((s) => s.transition.reward)).to.deep.equal(highLevelReward === "last" ? [-1, -1] : [-5, -5]);
      }
    });
  });

  it("three levels: windows nest, each level's goal is the subgoal above, tests reach down", () => {
    const env = pointEnv(8);
    const low = greedy();
    const mid = subgoals([3, 0]); // clipped to 2.5: never reached
    const high = subgoals([2, 0]);
    const e = trainEpisode(make(env, { levels: 3, replanInterval: 2 }, { 0: low, 1: mid, 2: high }), env);
    expect(windowLengths(e, 1)).to.deep.equal([2, 2, 2, 2]);
    expect(windowLengths(e, 2)).to.deep.equal([4, 4]);
    const l1 = atLevel(e, 1);
    const l2 = atLevel(e, 2);
    expect(l1.map((s) => s.transition.truncated)).to.deep.equal([false, true, false, true]);
    near(l1[0]!.transition.desiredGoal, [2, 0]);
    near(l1[0]!.transition.action, [0.2, 0]);
    expect(l2.map((s) => s.transition.truncated)).to.deep.equal([false, true]);
    near(l2[0]!.transition.desiredGoal, [2, 2]);
    near(l2[1]!.transition.action, [0.8, 0]);
    // Level 2's first window is a test: level 1 and the bottom act deterministically inside it.
    expect(mid.calls.map((c) => c.deterministic)).to.deep.equal([true, true, false, false]);
    // ... and in level 1's own test windows (its windows 0 and 3).
    expect(low.calls.map((c) => c.deterministic)).to.deep.equal([true, true, true, true, false, false, true, true]);
    expect(l1.map((s) => s.window!.tested)).to.deep.equal([true, true, false, true]);
  });

  it("evaluation is deterministic at every level and stores, counts and draws nothing", () => {
    const env = pointEnv(10);
    const low = greedy();
    const high = subgoals([2, 0]);
    const agent = make(env, { subgoalTesting: "d" }, { 0: low, 1: high });
    const rng = agent.rng.state;
    let { obs } = env.reset({ seed: 0 });
    const rollout = agent.rollout(obs, "eval");
    agent.onStore = () => expect.fail("evaluation stored a transition");
    for (let t = 0; t < 10; t++) {
      const action = rollout.act(obs);
      const r = env.step(action);
      rollout.step(action, r);
      obs = r.obs;
    }
    expect([...low.calls, ...high.calls].every((c) => c.deterministic)).to.equal(true);
    expect(agent.windowCounters).to.deep.equal([0, 0]);
    expect(agent.rng.state).to.deep.equal(rng);
    expect(agent.levels.map((l) => l.buffer.size)).to.deep.equal([0, 0]);
  });

  it("evaluation counts an episode that achieved the goal at some step as reached once, whatever its reward's scale", () => {
    /** Scores -2 off the goal, as Push2 does with both blocks off theirs. */
    class TwoTermPointEnv extends PointEnv {
      override computeReward(achieved: Float64Array, desired: Float64Array, info?: Info, goalDim?: number): Float64Array {
        return super.computeReward(achieved, desired, info, goalDim).map((r) => 2 * r);
      }
    }
    const env = timeLimited(new TwoTermPointEnv([0, 0], [0.5, 0]), 20);
    // Through the goal at (0.5, 0) (steps 4 to 6 within 0.15), then off to (2, 0).
    const agent = make(env, {}, { 0: greedy(), 1: subgoals([0.5, 0], [2, 0]) });
    const e = evaluateHac(agent, env, 1, 0);
    expect(e.meanReturn).to.equal(-34);
    expect(e.successRate).to.equal(0);
    expect(e.reachedOnce).to.equal(1);
  });

  it("learn: updatesPerStep gradient steps per stored transition, none before a batch is stored, no tensor leaks", () => {
    const env = pointEnv(30);
    const agent = make(env, { levelSac: [{}, { updatesPerStep: 2 }] }, {});
    trainEpisode(agent, env);
    expect(agent.levels[1]!.buffer.size).to.be.at.least(6);
    agent.learn([1, 1]);
    const before = tf.memory().numTensors;
    agent.learn([3, 1]);
    expect(tf.memory().numTensors).to.equal(before);
    expect(agent.levels.map((l) => l.agent.updates)).to.deep.equal([4, 4]);
    const fresh = make(pointEnv(12), {}, {});
    fresh.learn([1, 1]);
    expect(fresh.levels.map((l) => l.agent.updates)).to.deep.equal([0, 0]);
  });

  it("clips a level's targets only where its rewards stay at -1 a step or above", () => {
    // The bottom level is paid -1/0 by the subgoal; a level above by the env, a missed test, or a sum.
    expect(parseHacConfig({ levelSac: [{ clipReturn: true }] }).levelSac).to.deep.equal([{ clipReturn: true }]);
    expect(() => parseHacConfig({ sac: { clipReturn: true } })).to.throw(/level 1.*missed subgoal test pays -5/);
    expect(() => parseHacConfig({ sac: { clipReturn: true }, subgoalPenalty: -1 })).not.to.throw();
    expect(() => parseHacConfig({ sac: { clipReturn: true }, subgoalTesting: "c" })).not.to.throw(); // never penalises
    expect(() => parseHacConfig({ sac: { clipReturn: true }, subgoalPenalty: -1, highLevelReward: "sum" })).to.throw(/"sum"/);
    expect(() => parseHacConfig({ levelSac: [{}, { clipReturn: true }], replanInterval: 10 })).to.throw(/pays -10/);
    expect(() => parseHacConfig({ levelSac: [{ clipReturn: -5 }, { clipReturn: -40 }] })).not.to.throw(); // the user's own bounds
  });

  it("refuses bad configs by naming the field", () => {
    expect(() => parseHacConfig({ levels: 1 })).to.throw(/levels/);
    expect(() => parseHacConfig({ subgoalSpace: "block" })).to.throw(/subgoalSpace/);
    expect(() => parseHacConfig({ quirks: { dropLast: true } })).to.throw(/dropLast/);
    expect(() => parseHacConfig({ sac: { hiden: [1] } })).to.throw(/hiden/);
    expect(() => parseHacConfig({ levelSac: [{}, {}, {}] })).to.throw(/levelSac/);
    const defaults = parseHacConfig({});
    expect(defaults).to.include({
      levels: 2,
      replanInterval: 5,
      earlyReplan: true,
      actionSubstitution: true,
      subgoalTesting: "a",
      testingInterval: 3,
      relativeSubgoals: false,
    });
    expect(Object.values(defaults.quirks).every((q) => q === false)).to.equal(true);
  });
});
