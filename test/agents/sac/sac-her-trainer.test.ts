import { expect } from "chai";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selectBackend } from "../../../agents/nn/backend.js";
import { SacHerTrainer } from "../../../agents/sac/sac-her-trainer.js";
import { readMetrics } from "../../../agents/run/metrics-log.js";
import { extendRunBudget } from "../../../agents/run/run-dir.js";
import type { ProgressWork } from "../../../agents/run/progress.js";
import type { FinishedRun } from "../../../agents/run/run-trainer.js";
import { comparable } from "../run/comparable-metrics.js";

describe("SAC + HER training runs", function () {
  let dir: string;
  before(async () => {
    // The learner these runs train on: ONNX Runtime, the default.
    expect(await selectBackend()).to.equal("ort");
    dir = mkdtempSync(join(tmpdir(), "rapier-gym-train-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const small = {
    env: "PointMassReach-v0",
    algo: "sac",
    steps: 700,
    startSteps: 100,
    evalEvery: 300,
    evalEpisodes: 2,
    checkpointEvery: 200,
    sac: { hidden: [16, 16], batchSize: 32 },
  };

  it("resumes a stopped run to exactly the metrics of an uninterrupted one", async () => {
    const full = SacHerTrainer.start(join(dir, "full"), small);
    await full.run();
    full.close();

    const finished: FinishedRun[] = [];
    const onFinish = (run: FinishedRun): number => finished.push(run);
    const stopped = SacHerTrainer.start(join(dir, "stopped"), small);
    // Stop between checkpoints, as a kill would: the steps after step 400 are logged, then lost.
    await stopped.run({ until: 550, onFinish });
    stopped.close();
    const resumed = SacHerTrainer.resume(join(dir, "stopped"));
    expect(resumed.step).to.equal(400);
    const shown: { work: ProgressWork; steps: number[]; finished: boolean }[] = [];
    const progress = (work: ProgressWork): { update(step: number): void; finish(): void } => {
      const count = { work, steps: [] as number[], finished: false };
      shown.push(count);
      return {
        update: (step) => count.steps.push(step),
        finish: () => {
          count.finished = true;
        },
      };
    };
    await resumed.run({ onFinish, progress });
    resumed.close();
    // The progress shown counts the resumed run's env steps, one update per episode (100 steps).
    expect(shown).to.deep.equal([
      { work: { total: 700, startStep: 400, label: "sac PointMassReach-v0" }, steps: [500, 600, 700], finished: true },
    ]);

    const a = comparable(readMetrics(join(dir, "full", "metrics.jsonl")));
    const b = comparable(readMetrics(join(dir, "stopped", "metrics.jsonl")));
    expect(a.length).to.be.greaterThan(5);
    expect(b).to.deep.equal(a);
    expect(existsSync(join(dir, "stopped", "policy", "model.json"))).to.equal(true);
    // Only the run that reached the budget is finished, once its policy is saved (the CLI then draws the plots).
    expect(finished).to.deep.equal([{ root: join(dir, "stopped"), title: "sac + HER on PointMassReach-v0 (seed 0)" }]);
  });

  it("stops at the end of the episode in which it is asked to, after a checkpoint, and resumes from there losing no step", async () => {
    const root = join(dir, "asked-to-stop");
    const trainer = SacHerTrainer.start(root, small);
    const stop = new AbortController();
    // Asked once step 250 is passed; the loop looks at each episode end (100-step episodes).
    const watch = (): void => void (trainer.step > 250 ? stop.abort() : setImmediate(watch));
    setImmediate(watch);
    await trainer.run({ stop: stop.signal });
    trainer.close();
    expect(trainer.step).to.be.within(300, 600);
    expect(trainer.step % 100).to.equal(0);
    const resumed = SacHerTrainer.resume(root);
    expect(resumed.step).to.equal(trainer.step);
    await resumed.run();
    resumed.close();
    const a = comparable(readMetrics(join(dir, "full", "metrics.jsonl")));
    expect(comparable(readMetrics(join(root, "metrics.jsonl")))).to.deep.equal(a);
  });

  it("stops at the end of the episode that reaches stopAt, after a checkpoint, takes no step when run there again, and resumes losing none", async () => {
    const root = join(dir, "stop-at");
    const finished: FinishedRun[] = [];
    const trainer = SacHerTrainer.start(root, small);
    await trainer.run({ stopAt: 450, onFinish: (run) => finished.push(run) });
    trainer.close();
    expect(trainer.step, "the end of the episode that reached step 450").to.equal(500);
    expect(finished, "below the budget: not finished").to.deep.equal([]);
    const again = SacHerTrainer.resume(root);
    expect(again.step).to.equal(500);
    await again.run({ stopAt: 450 });
    expect(again.step, "already there").to.equal(500);
    await again.run();
    again.close();
    const a = comparable(readMetrics(join(dir, "full", "metrics.jsonl")));
    expect(comparable(readMetrics(join(root, "metrics.jsonl")))).to.deep.equal(a);
  });

  it("extends a finished run's budget to exactly the metrics of a run started with the larger one", async () => {
    const root = join(dir, "extended");
    const short = SacHerTrainer.start(root, { ...small, steps: 600 });
    await short.run();
    short.close();
    expect(() => extendRunBudget(root, 400)).to.throw(/budget is already 600/);
    // The buffer was sized for 600 steps; the extended run needs 700 and must not wrap early.
    extendRunBudget(root, 700);
    // The 600-step policy is no longer the run's final one: the experiment runner must not take the run for done.
    expect(existsSync(join(root, "policy"))).to.equal(false);
    expect(existsSync(join(root, "policy-at-600", "sac.json"))).to.equal(true);
    const extended = SacHerTrainer.resume(root);
    expect(extended.step).to.equal(600);
    await extended.run();
    extended.close();
    const a = comparable(readMetrics(join(dir, "full", "metrics.jsonl")));
    expect(comparable(readMetrics(join(root, "metrics.jsonl")))).to.deep.equal(a);
  });

  it("refuses a bad config by naming the field, and a second run in the same directory", () => {
    expect(() => SacHerTrainer.start(join(dir, "bad"), { ...small, steps: -5 })).to.throw(/steps/);
    expect(() => SacHerTrainer.start(join(dir, "bad2"), { ...small, sac: { hiden: [1] } })).to.throw(/sac\.hiden/);
    expect(() => SacHerTrainer.start(join(dir, "full"), small)).to.throw(/already holds a run/);
  });

  it("solves PointMassReach-v0 with at least 90% eval success", async function () {
    this.timeout(600_000);
    const config = {
      ...small,
      steps: 5000,
      startSteps: 500,
      evalEvery: 5000,
      evalEpisodes: 50,
      checkpointEvery: 5000,
      sac: { hidden: [64, 64] },
    };
    const trainer = SacHerTrainer.start(join(dir, "reach"), config);
    await trainer.run();
    trainer.close();
    const evals = readMetrics(join(dir, "reach", "metrics.jsonl")).filter((r) => r["eval/success"] !== undefined);
    const final = evals[evals.length - 1]!;
    expect(final.step).to.equal(5000);
    expect(final["eval/success"]).to.be.at.least(0.9);
  });
});
