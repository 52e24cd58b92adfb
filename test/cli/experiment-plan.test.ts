import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { planRuns, trainArgs, type PlannedRun } from "../../cli/experiment-plan.js";
import { experimentSchema, loadExperiment, type Experiment } from "../../experiments/experiment-config.js";

describe("experiment's plan: the train command line that takes a run on", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "rapier-gym-plan-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * A planned run to `steps` (this experiment's budget) whose directory holds a started run of
   * `budget` steps, logged up to `step`.
   */
  function startedRun(budget: number, step: number, steps: number): PlannedRun {
    const runDir = join(dir, "flat-seed0");
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, "config.json"), JSON.stringify({ algo: "sac", env: "PointMassReach-v0", steps: budget, seed: 0 }));
    writeFileSync(join(runDir, "metrics.jsonl"), `${JSON.stringify({ step, episode: step / 100, "train/return": -50 })}\n`);
    return {
      label: "flat",
      seed: 0,
      steps,
      dir: runDir,
      configFile: `${runDir}.config.json`,
      config: { algo: "sac" },
      runConfig: { algo: "sac" },
      reported: false,
    };
  }

  it("resumes a run with a larger budget only up to this experiment's (--stop-at), and leaves it once past", () => {
    expect(trainArgs(startedRun(600, 100, 300), "PointMassReach-v0")).to.deep.equal([
      "train",
      "--resume",
      "--out",
      join(dir, "flat-seed0"),
      "--stop-at",
      "300",
    ]);
    expect(trainArgs(startedRun(600, 300, 300), "PointMassReach-v0")).to.deep.equal([]);
  });

  it("resumes a run of this budget to its end, and extends a run of a smaller one", () => {
    expect(trainArgs(startedRun(300, 100, 300), "PointMassReach-v0")).to.deep.equal([
      "train",
      "--resume",
      "--out",
      join(dir, "flat-seed0"),
    ]);
    expect(trainArgs(startedRun(200, 100, 300), "PointMassReach-v0")).to.deep.equal([
      "train",
      "--resume",
      "--out",
      join(dir, "flat-seed0"),
      "--steps",
      "300",
    ]);
  });

  const post = { text: "-", stepsToThreshold: null };

  /** An experiment on PointMassReach-v0 of `steps` and these conditions. */
  function experiment(id: string, steps: number, conditions: unknown[]) {
    return experimentSchema.parse({ id, title: "t", postSummary: "-", env: "PointMassReach-v0", steps, conditions });
  }

  /** The plan of `e` under the budget `steps`, its runs in dir/runs/<id>/. */
  function plan(e: Experiment, steps: number, seeds = 1): PlannedRun[] {
    const runsDir = join(dir, "runs", e.id);
    return planRuns({ experiment: e, seeds, steps, runsDir, resultsDir: dir, demoFiles: {}, load: loadExperiment, skipReported: false });
  }

  it("puts a sameRunsAs condition of an experiment file (a zoo entry) in that file's runs, beside it", () => {
    const flat = { algo: "sac", startSteps: 100 };
    const entry = experiment("Z0", 900, [{ label: "flat", config: flat, post }]);
    mkdirSync(join(dir, "zoo"));
    writeFileSync(join(dir, "zoo", "Z0.json"), JSON.stringify(entry));
    const sameRunsAs = join(dir, "zoo", "Z0.json");
    const e = experiment("E0", 300, [
      { label: "flat, the entry's", config: flat, sameRunsAs, post },
      { label: "flat, its own", config: flat, post },
    ]);
    expect(plan(e, 300, 2).map((r) => r.dir)).to.deep.equal([
      join(dir, "zoo", "runs", "Z0", "flat-seed0"),
      join(dir, "runs", "E0", "flat-its-own-seed0"),
      join(dir, "zoo", "runs", "Z0", "flat-seed1"),
      join(dir, "runs", "E0", "flat-its-own-seed1"),
    ]);
    // A file without a condition of that config is refused, naming the reference.
    const other = experiment("E0", 300, [{ label: "flat, the entry's", config: { ...flat, startSteps: 50 }, sameRunsAs, post }]);
    expect(() => plan(other, 300)).to.throw(/E0 "flat, the entry's": sameRunsAs .*Z0\.json, but Z0 has no condition with the config/);
  });

  it("gives each run its condition's own budget where it has one, and shortens both with --steps", () => {
    const e = experiment("E0", 700, [
      { label: "flat", config: { algo: "sac" }, post },
      { label: "relay", config: { algo: "sac", startSteps: 50 }, steps: 250, post },
    ]);
    const budgets = (steps: number) => plan(e, steps).map((r) => [r.label, r.steps]);
    expect(budgets(700)).to.deep.equal([
      ["flat", 700],
      ["relay", 250],
    ]);
    expect(budgets(100)).to.deep.equal([
      ["flat", 100],
      ["relay", 100],
    ]);
    // A new run trains to its own budget, a run of the experiment's stops there.
    expect(trainArgs(plan(e, 700)[1]!, e.env).join(" ")).to.include("--steps 250 ");
    expect(trainArgs(startedRun(700, 100, 250), e.env).join(" ")).to.match(/--stop-at 250$/);
    expect(() => experiment("E0", 700, [{ ...e.conditions[1]!, steps: 701 }])).to.throw(
      /a condition's steps must be at most the experiment's/,
    );
  });
});
