import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RESULTS_DIR, writeExperimentResults } from "../../reporting/experiment-report.js";
import {
  EXPERIMENTS_DIR,
  experimentIds,
  experimentSchema,
  loadExperiment,
  sharedRunsCondition,
} from "../../experiments/experiment-config.js";
import { keptRun } from "../../reporting/kept-metrics.js";
import { summariseRun } from "../../reporting/experiment-summary.js";
import type { MetricsRow } from "../../agents/run/metrics-log.js";
import { inTempDir, post, tinyExperiment } from "./tiny-experiment.js";

describe("experiments: the configs, their checks and the steps to a threshold", () => {
  it("loads the post's experiment configs", () => {
    // Every experiments/<id>.json is listed, in the post's order, and parses to its own id.
    expect(experimentIds()).to.include.members(["E1", "E1b", "E1c", "E1d", "E1e", "E4", "E5", "E6", "E6b", "E6c", "E7", "E8", "E9", "E9b"]);
    expect(experimentIds().slice(0, 6)).to.deep.equal(["E1", "E1b", "E1c", "E1d", "E1e", "E4"]);
    for (const id of experimentIds()) expect(loadExperiment(id).id).to.equal(id);
    // Every sameRunsAs names a condition that trains its own runs under the same config.
    for (const e of experimentIds().map((id) => loadExperiment(id))) {
      for (const c of e.conditions.filter((c) => c.sameRunsAs !== undefined))
        expect(() => sharedRunsCondition(e, c), `${e.id} "${c.label}"`).not.to.throw();
    }
    expect(() => loadExperiment("E99")).to.throw(/no experiment E99/);
  });

  it("keeps the results folders' copies of run metrics in git: no ignore rule covers them", () => {
    // `git check-ignore` exits 1 when no rule matches; a bare `runs/` rule once kept them out of every commit.
    const kept = keptRun(join(RESULTS_DIR, "E4"), "(a) SG test, always substitute", 0);
    for (const path of [kept.metrics, kept.config]) {
      const check = spawnSync("git", ["check-ignore", "--no-index", "-q", path], { cwd: EXPERIMENTS_DIR });
      expect(check.status, path).to.equal(1);
    }
  });

  it("finds the steps at which the 100-episode average return first reaches -100, and -190 (learning starts)", () => {
    // 150 episodes of -200, then -50 from episode 151 on: the average crosses -100 when at
    // least two thirds of the last 100 episodes are -50, i.e. at episode 150 + 67, and -190
    // when 7 of them are (-200 + 7 * 1.5 = -189.5), at episode 157.
    const rows: MetricsRow[] = Array.from({ length: 300 }, (_, i) => ({
      step: 200 * (i + 1),
      episode: i + 1,
      "train/return": i < 150 ? -200 : -50,
      "train/success": i < 150 ? 0 : 1,
    }));
    const s = summariseRun(rows, 0);
    expect(s.stepsToThreshold).to.equal(200 * 217);
    expect(s.stepsToStart).to.equal(200 * 157);
    expect(summariseRun(rows, 0, { threshold: -150, startThreshold: -199 })).to.include({
      stepsToThreshold: 200 * 184,
      stepsToStart: 200 * 151,
    });
    expect(s.finalReturn).to.equal(-50);
    expect(s.finalSuccess).to.equal(1);
    expect(summariseRun(rows.slice(0, 150), 0)).to.include({ stepsToThreshold: null, stepsToStart: null });
    // A lucky first episode is not a 100-episode average: the crossing waits for a full window.
    const lucky: MetricsRow[] = rows.map((r, i) => ({ ...r, "train/return": i === 0 ? -20 : i < 150 ? -200 : -50 }));
    expect(summariseRun(lucky, 0).stepsToThreshold).to.equal(200 * 217);
  });

  for (const [metric, other] of [
    ["shadow/eval/return", "eval/return"],
    ["eval/return", "shadow/eval/return"],
  ] as const) {
    it(`judges a condition by its evaluations (${metric}), averaged over the last 5`, () => {
      const success = (m: string) => m.replace("/return", "/success");
      const rows: MetricsRow[] = Array.from({ length: 10 }, (_, i) => ({
        step: 10_000 * (i + 1),
        episode: 50 * (i + 1),
        [metric]: i < 5 ? -200 : -40,
        [success(metric)]: i < 5 ? 0 : 1,
        [other]: -200,
        [success(other)]: 0,
      }));
      const s = summariseRun(rows, 1, { metric });
      // Trailing means of 5: the 4th -40 makes (-200 + 4 * -40) / 5 = -72, the first at or above -100.
      expect(s.stepsToThreshold).to.equal(90_000);
      expect(s.finalReturn).to.equal(-40);
      expect(s.finalSuccess).to.equal(1);
    });
  }

  // -200 until episode `switchAt`, -50 after: -100 at episode switchAt + 67, -190 at switchAt + 7 (as above).
  // A switches at 150, B at 250, C never; the post's B took 2.5 times A's env steps.
  for (const { baseline, lines } of [
    {
      baseline: undefined,
      // B: 317 * 200 / (217 * 200) and 257 / 157.
      lines: [
        "- B against A: 1.46× the env steps to -100 (the post: 2.50×); 1.64× the env steps to -190",
        "- C against A: C has not reached -100 on every seed; C has not reached -190 on every seed",
      ],
    },
    {
      baseline: "B",
      lines: [
        "- A against B: 0.68× the env steps to -100 (the post: 0.40×); 0.61× the env steps to -190",
        "- C against B: C has not reached -100 on every seed; C has not reached -190 on every seed",
      ],
    },
  ]) {
    it(`sets each condition's env steps to -100 and -190 against the ${baseline === undefined ? "first condition's" : "baseline's"}, beside the post's ratio`, async () => {
      const run = (switchAt: number) =>
        Array.from({ length: 400 }, (_, i) => ({
          step: 200 * (i + 1),
          episode: i + 1,
          "train/return": i < switchAt ? -200 : -50,
          "train/success": i < switchAt ? 0 : 1,
        }));
      const experiment = tinyExperiment({
        id: "E0",
        env: "PointMassReach-v0",
        steps: 80_000,
        baseline,
        conditions: ["A", "B", "C"].map((label, i) => ({
          label,
          config: { algo: "sac" },
          post: { text: "-", stepsToThreshold: [200_000, 500_000, null][i] },
        })),
      });
      const runs = [150, 250, 400].map((switchAt) => [{ seed: 0, rows: run(switchAt) }]);
      await inTempDir(async (dir) => {
        writeExperimentResults(
          dir,
          experiment,
          80_000,
          ["A", "B", "C"].map((label, i) => ({ label, metric: "train/return", steps: 80_000, runs: runs[i]! })),
          "2026-01-01",
        );
        const ratios = readFileSync(join(dir, "report.md"), "utf8")
          .split("\n")
          .filter((l) => /^- \S+ against \S+: /.test(l));
        expect(ratios).to.deep.equal(lines);
      });
    });
  }

  /** The least an experiment file holds: one condition, "a". */
  const minimal = {
    id: "E0",
    title: "t",
    env: "PointMassReach-v0",
    steps: 10,
    postSummary: "-",
    conditions: [{ label: "a", config: { algo: "sac" }, post }],
  };

  it("refuses a baseline that names no condition", () => {
    const e = minimal;
    const parsed = experimentSchema.safeParse({ ...e, baseline: "flat" });
    expect(parsed.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).to.deep.equal([
      "baseline: baseline must be the label of one of the conditions",
    ]);
    expect(experimentSchema.parse({ ...e, baseline: "a" }).baseline).to.equal("a");
  });

  it("refuses a runsOf that names no training condition", () => {
    const bad = { ...minimal, conditions: [{ ...minimal.conditions[0]!, runsOf: "b" }] };
    expect(experimentSchema.safeParse(bad).success).to.equal(false);
  });

  it("refuses a start threshold that is not below the threshold", () => {
    const e = minimal;
    const parsed = experimentSchema.safeParse({ ...e, threshold: -100, startThreshold: -100 });
    expect(parsed.success).to.equal(false);
    expect(parsed.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).to.deep.equal([
      "startThreshold: startThreshold must be below threshold",
    ]);
    expect(experimentSchema.parse({ ...e, threshold: -20 }).startThreshold).to.equal(-190);
  });
});
