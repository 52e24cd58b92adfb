import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selectBackend } from "../../../agents/nn/backend.js";
import { Hac, type LevelActor } from "../../../agents/hac/hac.js";
import { HacTrainer } from "../../../agents/hac/hac-trainer.js";
import { readMetrics } from "../../../agents/run/metrics-log.js";
import type { FinishedRun } from "../../../agents/run/run-trainer.js";
import { make } from "../../../sim/index.js";
import { comparable } from "../run/comparable-metrics.js";

describe("HAC training runs", function () {
  let dir: string;
  before(async () => {
    await selectBackend();
    dir = mkdtempSync(join(tmpdir(), "rapier-gym-hac-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const small = {
    env: "PointMassReach-v0",
    envKwargs: { maxEpisodeSteps: 20 },
    algo: "hac",
    steps: 240,
    startSteps: 30,
    evalEvery: 100,
    evalEpisodes: 1,
    checkpointEvery: 60,
    hac: { sac: { hidden: [8, 8], batchSize: 16 } },
  };

  it("resumes a stopped run to exactly the metrics of an uninterrupted one", async () => {
    const full = HacTrainer.start(join(dir, "full"), small);
    await full.run();
    full.close();

    const finished: FinishedRun[] = [];
    const onFinish = (run: FinishedRun): number => finished.push(run);
    const stopped = HacTrainer.start(join(dir, "stopped"), small);
    // Stop between checkpoints, as a kill would: the steps after step 120 are logged, then lost.
    await stopped.run({ until: 150, onFinish });
    stopped.close();
    const resumed = HacTrainer.resume(join(dir, "stopped"));
    expect(resumed.step).to.equal(120);
    await resumed.run({ onFinish });
    resumed.close();

    const a = comparable(readMetrics(join(dir, "full", "metrics.jsonl")));
    const b = comparable(readMetrics(join(dir, "stopped", "metrics.jsonl")));
    expect(a.filter((r) => "train/return" in r)).to.have.length(12);
    expect(b).to.deep.equal(a);
    const episode = a.filter((r) => "train/return" in r).at(-1)!;
    for (const key of ["train/success", "hac/windows", "hac/subgoal_reached", "loss/qf_l0", "loss/qf_l1", "q/mean_l0", "q/mean_l1"])
      expect(episode).to.have.property(key);
    expect(a.filter((r) => "eval/return" in r).map((r) => r.step)).to.deep.equal([100, 200]);

    // The saved policy loads back into an agent that acts as the trained one did.
    const env = make("PointMassReach-v0");
    const loaded = await Hac.load(join(dir, "stopped", "policy"), env);
    expect(loaded.numLevels).to.equal(2);
    expect(finished).to.deep.equal([{ root: join(dir, "stopped"), title: "HAC (2 levels, k=5) on PointMassReach-v0 (seed 0)" }]);
    loaded.dispose();
    env.close();
  });

  it("trains a shadow learner on the hierarchy's env steps, checkpointed and resumed with it", async () => {
    const config = { ...small, shadow: true };
    const full = HacTrainer.start(join(dir, "shadow-full"), config);
    await full.run();
    full.close();
    const stopped = HacTrainer.start(join(dir, "shadow-stopped"), config);
    await stopped.run({ until: 150 });
    stopped.close();
    const resumed = HacTrainer.resume(join(dir, "shadow-stopped"));
    await resumed.run();
    resumed.close();
    const a = comparable(readMetrics(join(dir, "shadow-full", "metrics.jsonl")));
    expect(comparable(readMetrics(join(dir, "shadow-stopped", "metrics.jsonl")))).to.deep.equal(a);
    const evals = a.filter((r) => "eval/return" in r);
    expect(
      evals.map((r) =>
        Object.keys(r)
          .filter((k) => k.startsWith("shadow/"))
          .sort(),
      ),
    ).to.deep.equal([
      ["shadow/eval/return", "shadow/eval/success"],
      ["shadow/eval/return", "shadow/eval/success"],
    ]);
    // The shadow learner updates once per env step once a batch of episodes is stored, like the bottom level.
    const last = a.filter((r) => "train/return" in r).at(-1)!;
    expect(last).to.have.property("shadow/loss/qf");
    // Without the switch the hierarchy's own metrics are the same: the shadow only watches.
    const plain = comparable(readMetrics(join(dir, "full", "metrics.jsonl")));
    const strip = (rows: Record<string, unknown>[]) =>
      rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith("shadow/"))));
    expect(strip(a)).to.deep.equal(plain);
  });

  it("takes random env actions for startSteps steps unless skipWarmup", async () => {
    for (const skipWarmup of [false, true]) {
      const trainer = HacTrainer.start(join(dir, `warmup-${skipWarmup}`), {
        ...small,
        steps: 40,
        hac: { ...small.hac, quirks: { skipWarmup } },
      });
      const fixed: LevelActor = { act: () => Float32Array.of(0.5, -0.5) };
      trainer.agent.setActor(0, fixed);
      const actions: number[][] = [];
      trainer.agent.onStore = (s) => {
        if (s.level === 0) actions.push(Array.from(s.transition.action));
      };
      await trainer.run();
      trainer.close();
      const scripted = actions.map((a) => a[0] === 0.5 && a[1] === -0.5);
      expect(scripted).to.deep.equal(skipWarmup ? new Array(40).fill(true) : [...new Array(30).fill(false), ...new Array(10).fill(true)]);
    }
  });

  it("refuses a bad config by naming the field", () => {
    expect(() => HacTrainer.start(join(dir, "bad"), { ...small, hac: { replanInterval: 0 } })).to.throw(/hac\.replanInterval/);
    expect(() => HacTrainer.start(join(dir, "bad2"), { ...small, hac: { sac: { hiden: [1] } } })).to.throw(/hiden/);
    expect(() => HacTrainer.start(join(dir, "full"), small)).to.throw(/already holds a run/);
  });
});
