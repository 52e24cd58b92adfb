import { expect } from "chai";
import { appendFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lastStep, loggedProgress, pretrainBudget, pretrainDone } from "../../cli/experiment-progress.js";

describe("experiment progress, read from its runs' files", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "rapier-gym-progress-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const rows = (...r: object[]) => writeFileSync(join(dir, "metrics.jsonl"), r.map((x) => `${JSON.stringify(x)}\n`).join(""));

  it("counts a relay or flat BC run's pretraining from its rows at step 0, and all of it once it is past", () => {
    expect(pretrainBudget({ algo: "rpl" })).to.equal(10_000);
    expect(pretrainBudget({ algo: "rpl", relay: { pretrainSteps: 300 } })).to.equal(300);
    expect(pretrainBudget({ algo: "hac" })).to.equal(0);
    expect(pretrainBudget({ algo: "sac", bc: { demos: "d", pretrainSteps: 500 } })).to.equal(500);
    expect(pretrainBudget({ algo: "sac", bc: { demos: "d" } })).to.equal(0);
    expect(pretrainBudget({ algo: "sac" })).to.equal(0);
    expect(pretrainDone(dir, 300)).to.equal(0);
    rows({ step: 0, episode: 0, "pretrain/step": 50 }, { step: 0, episode: 0, "pretrain/step": 100 });
    expect(pretrainDone(dir, 300)).to.equal(100);
    expect(lastStep(join(dir, "metrics.jsonl"))).to.equal(0);
    appendFileSync(join(dir, "metrics.jsonl"), `${JSON.stringify({ step: 0, episode: 0, "pretrain/eval/return": -190 })}\n`);
    expect(pretrainDone(dir, 300)).to.equal(300);
    rows({ step: 0, episode: 0, "pretrain/step": 300 }, { step: 200, episode: 1, "train/return": -200 });
    expect(pretrainDone(dir, 300)).to.equal(300);
    expect(lastStep(join(dir, "metrics.jsonl"))).to.equal(200);
  });

  it("reads a collector's count from the last progress line of its log, after where the log stood", () => {
    const log = join(dir, "demos.bin.log");
    expect(loggedProgress(log)).to.equal(0);
    writeFileSync(log, "collect PointMassPush-v0 1800/2000  90%  30 steps/s  ETA 7s\nError: killed\n");
    const from = statSync(log).size;
    expect(loggedProgress(log)).to.equal(1800);
    expect(loggedProgress(log, from)).to.equal(0);
    appendFileSync(log, "tfjs backend: wasm\ncollect PointMassPush-v0 120/2000  6%  40 steps/s  return -60.0  success 0.80  ETA 47s\n");
    expect(loggedProgress(log, from)).to.equal(120);
  });
});
