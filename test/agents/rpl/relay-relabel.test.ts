import { expect } from "chai";
import { Rng } from "../../../sim/core/rng.js";
import { buildDemoSet, newEpisode, recordStep, type DemoSet } from "../../../agents/demos/demo-set.js";
import { relayBatch, splitRelayDemos } from "../../../agents/rpl/relay-relabel.js";

/**
 * Episodes of lengths 20 and 15 (padded to 20) whose rows encode (episode e, step t): obs
 * [1000e + t, -1], achieved goal 1000e + 100 + t, controllable state 1000e + 200 + t, action
 * 1000e + 300 + t; the padding rows (t >= 15 of episode 1) would show up as t = 14 repeated.
 */
function encodedDemos(): DemoSet {
  const episodes = [20, 15].map((length, e) => {
    const ep = newEpisode(e);
    for (let t = 0; t < length; t++) {
      const base = 1000 * e + t;
      recordStep(
        ep,
        {
          observation: Float64Array.of(base, -1),
          desired_goal: Float64Array.of(0),
          achieved_goal: Float64Array.of(base + 100),
          controllable_achieved_goal: Float64Array.of(base + 200),
          full_positional_state: Float64Array.of(base + 200, base + 100),
        },
        [base + 300],
      );
    }
    return ep;
  });
  return buildDemoSet({ env: "test", envKwargs: {}, source: "test" }, episodes);
}

describe("relay relabelling (docs/original-code.md §3.6)", () => {
  const set = encodedDemos();
  const demos = { set, episodes: [0, 1], subgoalSpace: "controllable_achieved_goal" as const };

  it("draws episodes, starts, ends and window indices exactly as sample_relay_batch", () => {
    const n = 4;
    const m = 5;
    const batch = relayBatch(demos, { replanInterval: n, numTrajectories: m }, new Rng(3));

    // The same draws, in the same order, by hand.
    const rng = new Rng(3);
    const picks = Array.from({ length: m }, () => rng.integer(2));
    const lengths = picks.map((e) => [20, 15][e]!);
    const starts = lengths.map((L) => rng.integer(Math.floor(0.2 * L))); // first 20 %: 0..3 or 0..2
    const ends = lengths.map((L) => Math.floor(0.8 * L) + rng.integer(L - Math.floor(0.8 * L))); // last 20 %: 16..19 or 12..14
    const high: number[][] = [];
    const low: number[][] = [];
    picks.forEach((e, k) => {
      const grid: number[] = [];
      for (let t = starts[k]!; t < ends[k]!; t += n) grid.push(t);
      const finalGoal = 1000 * e + 100 + lengths[k]! - 1; // the last real step, not the sampled end
      for (let j = 0; j + 1 < grid.length; j++) high.push([1000 * e + grid[j]!, -1, finalGoal, 1000 * e + 200 + grid[j + 1]!]);
      for (let j = 0; j + 1 < grid.length; j++) {
        const i = Math.max(0, grid[j + 1]! - rng.integer(n)); // one index in (t+n-n+1 ... t+n)
        low.push([1000 * e + i, -1, 1000 * e + 200 + grid[j + 1]!, 1000 * e + 300 + i]);
      }
    });
    const rows = (input: Float32Array, target: Float32Array, w: number): number[][] =>
      Array.from({ length: target.length }, (_, r) => [...input.subarray(r * w, (r + 1) * w), target[r]!]);
    expect(rows(batch.high.input, batch.high.target, 3)).to.deep.equal(high);
    expect(rows(batch.low.input, batch.low.target, 3)).to.deep.equal(low);

    // And what those draws mean, read back from the encoded rows.
    expect(starts.every((s, k) => s >= 0 && s < Math.floor(0.2 * lengths[k]!))).to.equal(true);
    for (const [obs, , goal, target] of high) {
      const e = Math.floor(obs! / 1000);
      expect(target! - 200 - obs!).to.equal(n); // the target is the state n steps on
      expect(goal).to.equal(1000 * e + 100 + [20, 15][e]! - 1);
    }
    for (const [obs, , goal, act] of low) {
      const window = goal! - 200 - obs!; // steps from the sampled index to the window's end
      expect(window).to.be.within(0, n - 1);
      expect(act! - 300).to.equal(obs); // the action taken at that index
    }
    expect(low.every(([obs]) => obs! % 1000 < [20, 15][Math.floor(obs! / 1000)]!)).to.equal(true);
  });

  it("targets the change of the subgoal-space state in relative mode, for both levels", () => {
    const batch = relayBatch(demos, { replanInterval: 3, relative: true, numTrajectories: 4 }, new Rng(1));
    expect(batch.high.target.length).to.be.above(0);
    expect([...batch.high.target].every((v) => v === 3)).to.equal(true);
    for (let r = 0; r < batch.low.target.length; r++) expect(batch.low.input[3 * r + 2]).to.equal(3);
  });

  it("takes absolute targets as offsets from the hierarchy's subgoal centre", () => {
    const plain = relayBatch(demos, { replanInterval: 3, numTrajectories: 4 }, new Rng(1));
    const centred = relayBatch(demos, { replanInterval: 3, numTrajectories: 4, subgoalCenter: [100] }, new Rng(1));
    expect([...centred.high.target]).to.deep.equal([...plain.high.target].map((v) => v - 100));
    // The low level is still given the subgoal state itself, as HAC gives it at run time.
    expect([...centred.low.input]).to.deep.equal([...plain.low.input]);
  });

  it("splits by episode, the first 80 % for training", () => {
    const many = buildDemoSet(
      { env: "test", envKwargs: {}, source: "test" },
      Array.from({ length: 10 }, (_, e) => {
        const ep = newEpisode(e);
        recordStep(
          ep,
          {
            observation: Float64Array.of(e),
            desired_goal: Float64Array.of(0),
            achieved_goal: Float64Array.of(0),
            controllable_achieved_goal: Float64Array.of(0),
            full_positional_state: Float64Array.of(0),
          },
          [0],
        );
        return ep;
      }),
    );
    const { train, validation } = splitRelayDemos(many, "achieved_goal");
    expect(train.episodes).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(validation.episodes).to.deep.equal([8, 9]);
    expect(() => relayBatch(train, { replanInterval: 2 }, new Rng(0))).to.throw(/demo episode of 1 steps has no first 20 %/);
  });
});
