import { expect } from "chai";
import { againstThePost, type ComparedCondition } from "../../reporting/against-the-post.js";
import type { RunSummary } from "../../reporting/experiment-summary.js";
import { tinyExperiment } from "../experiments/tiny-experiment.js";

const BUDGET = 300_000;

/** A condition whose seeds crossed -100 at `crossings` (null: not), each run at `reached` env steps. */
function condition(label: string, crossings: (number | null)[], reached = BUDGET): ComparedCondition {
  const seeds: RunSummary[] = crossings.map((x, seed) => ({
    seed,
    stepsToThreshold: x,
    stepsToStart: null,
    finalReturn: -100,
    finalSuccess: 0.5,
    steps: reached,
  }));
  const done = crossings.filter((x): x is number => x !== null);
  const mean = done.length === crossings.length ? done.reduce((a, b) => a + b, 0) / done.length : null;
  return { label, steps: BUDGET, seeds, meanStepsToThreshold: mean };
}

function experiment(posts: { stepsToThreshold: number | null; never?: true }[]) {
  return tinyExperiment({
    id: "E0",
    env: "PointMassPush-v0",
    steps: BUDGET,
    conditions: posts.map((post, i) => ({ label: `c${i}`, config: { algo: "sac" }, post: { text: "-", ...post } })),
  });
}

describe("reports against the post", () => {
  it("agrees where the post's figure lies within the seeds' spread, and says sooner or later by how much where not", () => {
    const e = experiment([{ stepsToThreshold: 200_000 }, { stepsToThreshold: 280_000 }, { stepsToThreshold: 100_000 }]);
    const lines = againstThePost(
      e,
      [condition("c0", [180_000, 220_000]), condition("c1", [140_000, 140_000]), condition("c2", [200_000, 200_000])],
      -100,
      0,
    );
    expect(lines.slice(0, 3)).to.deep.equal([
      "c0: agrees: -100 at 200k (180k–220k), the post's 200k within the seeds' spread",
      "c1: differs: -100 at 140k (140k–140k), sooner than the post's 280k (0.50× its env steps)",
      "c2: differs: -100 at 200k (200k–200k), later than the post's 100k (2.00× its env steps)",
    ]);
    // Orders against the baseline (c0): c1 after it in the post but before it here; c2 before it in the post, here the same step.
    expect(lines.slice(3)).to.deep.equal([
      "differs: the post has c0 at -100 before c1 (200k against 280k); here 140k for c1 and 200k for c0",
      "differs: the post has c2 at -100 before c0 (100k against 200k); here 200k for c2 and 200k for c0",
    ]);
  });

  it("reads a failure the post shows against ours, and a run still under way as not yet", () => {
    const e = experiment([{ stepsToThreshold: null, never: true }, { stepsToThreshold: null, never: true }, { stepsToThreshold: 250_000 }]);
    const lines = againstThePost(
      e,
      [condition("c0", [null, null]), condition("c1", [null, 90_000]), condition("c2", [null, 240_000], 200_000)],
      -100,
      0,
    );
    expect(lines).to.deep.equal([
      "c0: agrees: never reaches -100 within 300k on any seed, as the post shows",
      "c1: differs: the post shows it never reaching -100; here 1 of 2 seeds do (90k)",
      "c2: not yet: 1 of 2 seeds at -100 so far; the post at 250k",
    ]);
  });

  it("says nothing of a condition the post gave no figure for, and calls a budget that ends first not comparable", () => {
    const e = experiment([{ stepsToThreshold: null }, { stepsToThreshold: 450_000 }]);
    expect(againstThePost(e, [condition("c0", [100_000]), condition("c1", [null])], -100, 0)).to.deep.equal([
      "c1: not comparable: the budget (300k) ends before the post's 450k",
    ]);
  });
});
