import { expect } from "chai";
import { HerReplayBuffer, type HerBatch, type HerReplayBufferOptions } from "../../../agents/buffers/her-replay-buffer.js";
import type { GoalSelectionStrategy } from "../../../agents/buffers/goal-selection.js";
import { packArrays, unpackArrays } from "../../../agents/buffers/array-pack.js";
import { Rng } from "../../../sim/core/rng.js";

/**
 * A 1-D chain: the observation and the achieved goal are the position, every action moves it by
 * +1, and episode e starts at 1000·e, so a position tells its episode and its step. The desired
 * goal is out of reach, so every real reward is -1.
 */
const EPISODE_STRIDE = 1000;
const UNREACHED_GOAL_OFFSET = 500;

function chainReward(achieved: Float64Array, desired: Float64Array): Float64Array {
  return Float64Array.from(achieved, (a, i) => (Math.abs(a - desired[i]!) < 0.5 ? 0 : -1));
}

function makeBuffer(overrides: Partial<HerReplayBufferOptions> = {}): HerReplayBuffer {
  return new HerReplayBuffer({
    capacity: 1000,
    observationDim: 1,
    goalDim: 1,
    actionDim: 1,
    computeReward: chainReward,
    rng: new Rng(7),
    ...overrides,
  });
}

interface EpisodeOptions {
  env?: number;
  /** How the episode ends: a time-limit cut, a terminal state, or not at all (left unfinished). */
  end?: "truncated" | "terminated" | "open";
}

function addSteps(buffer: HerReplayBuffer, episode: number, from: number, to: number, length: number, options: EpisodeOptions = {}): void {
  const start = episode * EPISODE_STRIDE;
  const end = options.end ?? "truncated";
  for (let t = from; t < to; t++) {
    const last = t === length - 1;
    buffer.add(
      {
        observation: [start + t],
        desiredGoal: [start + UNREACHED_GOAL_OFFSET],
        action: [1],
        reward: -1,
        nextObservation: [start + t + 1],
        nextAchievedGoal: [start + t + 1],
        terminated: last && end === "terminated",
        truncated: last && end === "truncated",
      },
      options.env ?? 0,
    );
  }
}

function addEpisode(buffer: HerReplayBuffer, episode: number, length: number, options: EpisodeOptions = {}): void {
  addSteps(buffer, episode, 0, length, length, options);
}

/** Rows of a batch of the chain (observationDim = goalDim = actionDim = 1). */
function rows(
  batch: HerBatch,
): { pos: number; goal: number; nextPos: number; nextGoal: number; rew: number; done: number; relabelled: boolean }[] {
  return Array.from({ length: batch.batchSize }, (_, i) => ({
    pos: batch.obs[2 * i]!,
    goal: batch.obs[2 * i + 1]!,
    nextPos: batch.nextObs[2 * i]!,
    nextGoal: batch.nextObs[2 * i + 1]!,
    rew: batch.rew[i]!,
    done: batch.done[i]!,
    relabelled: batch.relabelled[i] === 1,
  }));
}

const episodeOf = (pos: number): number => Math.floor(pos / EPISODE_STRIDE);

describe("HerReplayBuffer", () => {
  it("relabels floor(B·k/(k+1)) rows and gives them computeReward(next achieved goal, new goal)", () => {
    const buffer = makeBuffer();
    for (let e = 0; e < 5; e++) addEpisode(buffer, e, 20);
    const batch = buffer.sample(500);
    const all = rows(batch);
    expect(all.filter((r) => r.relabelled)).to.have.length(400);
    const recomputed = chainReward(
      Float64Array.from(all, (r) => r.nextPos),
      Float64Array.from(all, (r) => r.goal),
    );
    all.forEach((r, i) => {
      expect(r.nextGoal).to.equal(r.goal);
      if (r.relabelled) expect(r.rew).to.equal(recomputed[i]);
      else {
        expect(r.goal).to.equal(episodeOf(r.pos) * EPISODE_STRIDE + UNREACHED_GOAL_OFFSET);
        expect(r.rew).to.equal(-1);
      }
    });
    const relabelledRewards = new Set(all.filter((r) => r.relabelled).map((r) => r.rew));
    expect([...relabelledRewards].sort()).to.deep.equal([-1, 0]);
  });

  it("gives relabelled rows the transition's relabelAction and real rows its action", () => {
    const buffer = makeBuffer();
    for (let t = 0; t < 10; t++) {
      buffer.add({
        observation: [t],
        desiredGoal: [UNREACHED_GOAL_OFFSET],
        action: [1],
        relabelAction: [-1],
        reward: -1,
        nextObservation: [t + 1],
        nextAchievedGoal: [t + 1],
        terminated: false,
        truncated: t === 9,
      });
    }
    const batch = buffer.sample(50);
    Array.from(batch.relabelled).forEach((r, i) => expect(batch.act[i]).to.equal(r === 1 ? -1 : 1));
  });

  it("loads bytes saved before relabelAction existed, their copies carrying the stored action", () => {
    const buffer = makeBuffer();
    addEpisode(buffer, 0, 10);
    const { meta, arrays } = unpackArrays(buffer.toBytes());
    for (const name of [...arrays.keys()]) if (name.endsWith(".relabelAction")) arrays.delete(name);
    const old = HerReplayBuffer.fromBytes(packArrays(meta, Object.fromEntries(arrays)), chainReward);
    expect(Array.from(old.sample(20).act)).to.deep.equal(new Array<number>(20).fill(1));
  });

  it("relabels nothing with k = 0", () => {
    const buffer = makeBuffer({ nSampledGoal: 0 });
    addEpisode(buffer, 0, 10);
    expect(rows(buffer.sample(50)).every((r) => !r.relabelled && r.rew === -1)).to.equal(true);
  });

  it("draws 'future' goals only from later steps of the same episode", () => {
    const buffer = makeBuffer();
    for (let e = 0; e < 4; e++) addEpisode(buffer, e, 15);
    for (const r of rows(buffer.sample(2000)).filter((row) => row.relabelled)) {
      expect(episodeOf(r.goal)).to.equal(episodeOf(r.pos));
      expect(r.goal).to.be.within(r.nextPos, episodeOf(r.pos) * EPISODE_STRIDE + 15);
    }
  });

  it("in faithful mode draws 'future' from strictly later transitions and gives every relabelled row reward 0", () => {
    const buffer = makeBuffer({ faithful: true });
    for (let e = 0; e < 4; e++) addEpisode(buffer, e, 15);
    const all = rows(buffer.sample(2000));
    for (const r of all) {
      if (!r.relabelled) {
        expect(r.rew).to.equal(-1);
        continue;
      }
      expect(r.rew).to.equal(0);
      const final = episodeOf(r.pos) * EPISODE_STRIDE + 15;
      if (r.nextPos === final) expect(r.goal).to.equal(final);
      else expect(r.goal).to.be.within(r.nextPos + 1, final);
    }
    // The same goals with the fix give real failures: the bug, not the goals, makes the zeros.
    const fixed = chainReward(
      Float64Array.from(all, (r) => r.nextPos),
      Float64Array.from(all, (r) => r.goal),
    );
    expect(all.some((r, i) => r.relabelled && fixed[i] === -1)).to.equal(true);
  });

  const strategyCases: [GoalSelectionStrategy, (goal: number, start: number, length: number) => boolean][] = [
    ["final", (goal, start, length) => goal === start + length],
    ["episode", (goal, start, length) => goal >= start + 1 && goal <= start + length],
  ];
  for (const [strategy, allowed] of strategyCases) {
    it(`draws '${strategy}' goals from the same episode as the strategy says`, () => {
      const buffer = makeBuffer({ goalSelectionStrategy: strategy });
      for (let e = 0; e < 3; e++) addEpisode(buffer, e, 12);
      const relabelled = rows(buffer.sample(1000)).filter((r) => r.relabelled);
      for (const r of relabelled)
        expect(allowed(r.goal, episodeOf(r.pos) * EPISODE_STRIDE, 12), `goal ${r.goal} for pos ${r.pos}`).to.equal(true);
      if (strategy === "episode") expect(relabelled.some((r) => r.goal <= r.pos)).to.equal(true);
    });
  }

  it("never samples an unfinished episode, even with several env streams interleaving", () => {
    const buffer = makeBuffer({ numEnvs: 2 });
    addEpisode(buffer, 0, 10, { env: 0 });
    addSteps(buffer, 1, 0, 6, 10, { env: 1 });
    addSteps(buffer, 2, 0, 4, 10, { env: 0 });
    expect(buffer.size).to.equal(10);
    expect(buffer.unfinishedSteps(1)).to.equal(6);
    for (const r of rows(buffer.sample(1000))) {
      expect(episodeOf(r.pos)).to.equal(0);
      expect(episodeOf(r.goal)).to.equal(0);
    }
    addSteps(buffer, 1, 6, 10, 10, { env: 1 });
    expect(buffer.size).to.equal(20);
    const seen = new Set(rows(buffer.sample(1000)).map((r) => episodeOf(r.pos)));
    expect([...seen].sort()).to.deep.equal([0, 1]);
  });

  it("on wrap-around drops the oldest episodes whole and keeps the rest whole", () => {
    const buffer = makeBuffer({ capacity: 25 });
    const lengths = [7, 9, 6, 8, 5, 9];
    lengths.forEach((length, e) => addEpisode(buffer, e, length));
    // Newest first, the episodes that fit in 25 transitions: 9 + 5 + 8 = 22 (adding 6 overflows).
    expect(buffer.size).to.equal(22);
    const seen = new Set(rows(buffer.sample(3000)).map((r) => r.pos));
    const expected = new Set<number>();
    for (const e of [3, 4, 5]) for (let t = 0; t < lengths[e]!; t++) expected.add(e * EPISODE_STRIDE + t);
    expect([...seen].sort((a, b) => a - b)).to.deep.equal([...expected].sort((a, b) => a - b));
    for (const r of rows(buffer.sample(1000)).filter((row) => row.relabelled)) {
      expect(episodeOf(r.goal)).to.equal(episodeOf(r.pos));
    }
  });

  it("stores terminated, never truncated, as the done flag", () => {
    const buffer = makeBuffer();
    addEpisode(buffer, 0, 5, { end: "truncated" });
    addEpisode(buffer, 1, 5, { end: "terminated" });
    for (const r of rows(buffer.sample(500))) {
      const last = r.nextPos % EPISODE_STRIDE === 5;
      expect(r.done).to.equal(last && episodeOf(r.pos) === 1 ? 1 : 0);
    }
  });

  it("continues identically after toBytes/fromBytes, unfinished episodes included", () => {
    const original = makeBuffer({ capacity: 40, numEnvs: 2 });
    for (let e = 0; e < 6; e++) addEpisode(original, e, 9, { env: e % 2 });
    addSteps(original, 6, 0, 4, 9, { env: 1 });
    original.sample(64);
    const restored = HerReplayBuffer.fromBytes(original.toBytes(), chainReward);
    expect(restored.size).to.equal(original.size);
    expect(restored.unfinishedSteps(1)).to.equal(4);
    const compare = (): void => {
      const a = original.sample(128);
      const b = restored.sample(128);
      for (const key of ["obs", "act", "rew", "nextObs", "done", "relabelled"] as const) expect(b[key]).to.deep.equal(a[key]);
    };
    compare();
    for (const buffer of [original, restored]) {
      addSteps(buffer, 6, 4, 9, 9, { env: 1 });
      addEpisode(buffer, 7, 9);
    }
    compare();
  });

  it("fills a reused batch in place", () => {
    const buffer = makeBuffer();
    addEpisode(buffer, 0, 10);
    const batch = buffer.createBatch(32);
    const obs = batch.obs;
    expect(buffer.sampleInto(batch).obs).to.equal(obs);
  });

  it("rejects what it cannot store whole or does not fit", () => {
    const buffer = makeBuffer({ capacity: 5 });
    expect(() => buffer.sample(1)).to.throw(/no finished episode/);
    expect(() => addEpisode(buffer, 0, 6)).to.throw(/longer than the buffer's capacity/);
    expect(() =>
      buffer.add({
        observation: [0, 0],
        desiredGoal: [0],
        action: [0],
        reward: 0,
        nextObservation: [0],
        nextAchievedGoal: [0],
        terminated: false,
        truncated: false,
      }),
    ).to.throw(/observation has length 2/);
    expect(() => addEpisode(buffer, 0, 2, { env: 1 })).to.throw(/env index 1/);
  });
});
