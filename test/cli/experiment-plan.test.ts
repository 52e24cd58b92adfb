import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { trainArgs, type PlannedRun } from "../../cli/experiment-plan.js";

describe("experiment's plan: the train command line that takes a run on", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "rapier-gym-plan-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A planned run whose directory holds a started run of `budget` steps, logged up to `step`. */
  function startedRun(budget: number, step: number): PlannedRun {
    const runDir = join(dir, "flat-seed0");
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, "config.json"), JSON.stringify({ algo: "sac", env: "PointMassReach-v0", steps: budget, seed: 0 }));
    writeFileSync(join(runDir, "metrics.jsonl"), `${JSON.stringify({ step, episode: step / 100, "train/return": -50 })}\n`);
    return {
      label: "flat",
      seed: 0,
      dir: runDir,
      configFile: `${runDir}.config.json`,
      config: { algo: "sac" },
      runConfig: { algo: "sac" },
      reported: false,
    };
  }

  it("resumes a run with a larger budget only up to this experiment's (--stop-at), and leaves it once past", () => {
    expect(trainArgs(startedRun(600, 100), "PointMassReach-v0", 300)).to.deep.equal([
      "train",
      "--resume",
      "--out",
      join(dir, "flat-seed0"),
      "--stop-at",
      "300",
    ]);
    expect(trainArgs(startedRun(600, 300), "PointMassReach-v0", 300)).to.deep.equal([]);
  });

  it("resumes a run of this budget to its end, and extends a run of a smaller one", () => {
    expect(trainArgs(startedRun(300, 100), "PointMassReach-v0", 300)).to.deep.equal([
      "train",
      "--resume",
      "--out",
      join(dir, "flat-seed0"),
    ]);
    expect(trainArgs(startedRun(200, 100), "PointMassReach-v0", 300)).to.deep.equal([
      "train",
      "--resume",
      "--out",
      join(dir, "flat-seed0"),
      "--steps",
      "300",
    ]);
  });
});
