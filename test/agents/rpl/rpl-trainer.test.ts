import { expect } from "chai";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selectBackend } from "../../../agents/nn/backend.js";
import { PushExpert } from "../../../agents/experts/push-expert.js";
import { collectDemos } from "../../../agents/demos/collect.js";
import { readDemoFile as readDemoFileForTest, writeDemoFile } from "../../../agents/demos/demo-file.js";
import { Hac } from "../../../agents/hac/hac.js";
import { evaluatePretrained } from "../../../agents/rpl/evaluate-pretrained.js";
import { flatBc, flatBcSupervision } from "../../../agents/rpl/flat-bc.js";
import { pretrainRelay } from "../../../agents/rpl/relay-pretrain.js";
import { relayBatch, splitRelayDemos } from "../../../agents/rpl/relay-relabel.js";
import { levelRows } from "../../../agents/rpl/relay-supervision.js";
import { RplTrainer } from "../../../agents/rpl/rpl-trainer.js";
import { pretrainActor } from "../../../agents/sac/actor-pretrain.js";
import { Sac } from "../../../agents/sac/sac.js";
import { sacConfig } from "../../../agents/sac/sac-config.js";
import { SacHerTrainer } from "../../../agents/sac/sac-her-trainer.js";
import { readMetrics } from "../../../agents/run/metrics-log.js";
import { make, Rng } from "../../../sim/index.js";
import { comparable } from "../run/comparable-metrics.js";

describe("relay learning: pretraining, finetuning runs and the BC baseline", function () {
  let dir: string;
  let demos: string;
  before(async () => {
    await selectBackend();
    dir = mkdtempSync(join(tmpdir(), "rapier-gym-rpl-"));
    demos = join(dir, "reach.demos");
    const env = make("PointMassReach-v0");
    const expert = new PushExpert();
    writeDemoFile(
      demos,
      collectDemos({ env, envId: "PointMassReach-v0", policy: (o) => expert.act(o), source: "expert", episodes: 10, maxEpLen: 50 }),
    );
    env.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("pretraining steps lower both levels' BC loss on relay pairs of a tiny demo set, and stop when asked", async () => {
    const env = make("PointMassReach-v0");
    const agent = new Hac(
      env,
      { replanInterval: 5, subgoalSpace: "full_positional_state", sac: { hidden: [16, 16] } },
      { seed: 1, bufferCapacity: 1 },
    );
    const { train, validation } = splitRelayDemos(readDemoFileForTest(demos), "full_positional_state");
    const fixed = relayBatch(train, { replanInterval: 5 }, new Rng(9));
    const losses = (): number[] => agent.levels.map((l, i) => l.agent.bcValue(levelRows(fixed, i), "mse-mean", 0));
    const before = losses();
    const logs: number[] = [];
    const options = { steps: 150, replanInterval: 5, loss: "mse", validateEvery: 50, seed: 3 } as const;
    expect(await pretrainRelay(agent, train, validation, options, (p) => logs.push(p.step))).to.equal(true);
    const after = losses();
    expect(logs).to.deep.equal([50, 100, 150]);
    expect(after[0]).to.be.below(0.5 * before[0]!);
    expect(after[1]).to.be.below(0.5 * before[1]!);
    // A stop request is seen at the next log point: pretraining ends there, unfinished.
    const stopped: number[] = [];
    expect(await pretrainRelay(agent, train, validation, options, (p) => stopped.push(p.step), AbortSignal.abort())).to.equal(false);
    expect(stopped).to.deep.equal([50]);
    agent.dispose();
    env.close();
  });

  const rpl = {
    env: "PointMassReach-v0",
    envKwargs: { maxEpisodeSteps: 20 },
    algo: "rpl",
    steps: 120,
    evalEvery: 60,
    evalEpisodes: 1,
    checkpointEvery: 40,
    relay: { pretrainSteps: 12, validateEvery: 5, numTrajectories: 6, pretrainEvalEpisodes: 2 },
    hac: { replanInterval: 5, sac: { hidden: [8, 8], batchSize: 16 } },
  };

  it("the pretrained-only evaluation plays one deterministic episode per given reset seed", () => {
    const env = make("PointMassReach-v0");
    const agent = new Hac(env, { replanInterval: 5, sac: { hidden: [8, 8] } }, { seed: 2, bufferCapacity: 1 });
    const [a, b] = [evaluatePretrained(agent, env, [11]), evaluatePretrained(agent, env, [12])];
    const both = evaluatePretrained(agent, env, [11, 12]);
    expect(both.episodes).to.equal(2);
    expect(both.meanReturn).to.be.closeTo((a.meanReturn + b.meanReturn) / 2, 1e-12);
    expect(both.reachedOnce).to.equal((a.reachedOnce + b.reachedOnce) / 2);
    expect(evaluatePretrained(agent, env, [11]).meanReturn).to.equal(a.meanReturn);
    expect(() => evaluatePretrained(agent, env, [])).to.throw(/no seeds/);
    agent.dispose();
    env.close();
  });

  it("resumes to exactly the metrics of an uninterrupted run, killed after or before its first checkpoint", async () => {
    const full = RplTrainer.start(join(dir, "full"), { ...rpl, demos });
    await full.run();
    full.close();
    const a = comparable(readMetrics(join(dir, "full", "metrics.jsonl")));
    expect(a.filter((r) => "pretrain/loss_low" in r).map((r) => r["pretrain/step"])).to.deep.equal([5, 10, 12]);
    expect(a.find((r) => "pretrain/eval/return" in r)).to.include.keys(
      "pretrain/eval/success",
      "pretrain/eval/reached_once",
      "pretrain/eval_demo_starts/return",
      "pretrain/eval_demo_starts/success",
      "pretrain/eval_demo_starts/reached_once",
    );
    expect(a.filter((r) => "train/return" in r)).to.have.length(6);

    for (const until of [70, 10]) {
      const root = join(dir, `stopped-${until}`);
      const stopped = RplTrainer.start(root, { ...rpl, demos });
      await stopped.run({ until });
      stopped.close();
      const resumed = RplTrainer.resume(root);
      expect(resumed.step).to.equal(until === 70 ? 40 : 0);
      await resumed.run();
      resumed.close();
      expect(comparable(readMetrics(join(root, "metrics.jsonl"))), `stopped at ${until}`).to.deep.equal(a);
    }
    expect(existsSync(join(dir, "full", "pretrained.bin"))).to.equal(true);
  });

  it("refuses demos that do not fit the env, naming the array", () => {
    expect(() => RplTrainer.start(join(dir, "misfit"), { ...rpl, env: "PointMassPush-v0", demos })).to.throw(
      /reach\.demos: demos from PointMassReach-v0 have obs of 4 values, but .* has observation of 8/,
    );
    expect(existsSync(join(dir, "misfit"))).to.equal(false);
  });

  /** A tiny flat "BC one layer" run (the demo file exists once `before` has run). */
  const flat = () => ({
    env: "PointMassReach-v0",
    envKwargs: { maxEpisodeSteps: 20 },
    algo: "sac",
    steps: 100,
    startSteps: 20,
    evalEvery: 50,
    evalEpisodes: 1,
    checkpointEvery: 40,
    sac: { hidden: [8, 8], batchSize: 16 },
    bc: { demos, batchSize: 32 },
  });

  it("runs the flat 'BC one layer' baseline, resumable like plain SAC + HER, logging its BC loss", async () => {
    const config = flat();
    const full = SacHerTrainer.start(join(dir, "bc-full"), config, make, flatBc);
    await full.run();
    full.close();
    const plain = SacHerTrainer.start(join(dir, "bc-none"), { ...config, bc: undefined });
    await plain.run();
    plain.close();
    const stopped = SacHerTrainer.start(join(dir, "bc-stopped"), config, make, flatBc);
    await stopped.run({ until: 70 });
    stopped.close();
    const resumed = SacHerTrainer.resume(join(dir, "bc-stopped"), make, flatBc);
    await resumed.run();
    resumed.close();
    const a = comparable(readMetrics(join(dir, "bc-full", "metrics.jsonl")));
    expect(comparable(readMetrics(join(dir, "bc-stopped", "metrics.jsonl")))).to.deep.equal(a);
    const piLosses = (rows: Record<string, unknown>[]): unknown[] => rows.map((r) => r["loss/pi"]).filter((v) => v !== undefined);
    const none = comparable(readMetrics(join(dir, "bc-none", "metrics.jsonl")));
    expect(piLosses(a)).to.not.deep.equal(piLosses(none));
    // Each row with losses carries the BC term's own loss, a positive number; plain SAC's rows do not.
    const withLosses = a.filter((r) => r["loss/pi"] !== undefined);
    expect(withLosses.length).to.be.greaterThan(0);
    for (const r of withLosses) expect(r["loss/bc"]).to.be.a("number").and.greaterThan(0);
    for (const r of withLosses) expect(r["bc/kept"], "every demo pair counts without the Q-filter").to.equal(1);
    expect(none.some((r) => "loss/bc" in r)).to.equal(false);
    // With the Q-filter only the pairs whose demo action the critics rate above the policy's count:
    // some, not all, and a different actor loss from the same seed.
    const filtered = SacHerTrainer.start(join(dir, "bc-filtered"), { ...config, bc: { ...config.bc, qFilter: true } }, make, flatBc);
    await filtered.run();
    filtered.close();
    const f = comparable(readMetrics(join(dir, "bc-filtered", "metrics.jsonl")));
    const kept = f.map((r) => r["bc/kept"]).filter((v): v is number => typeof v === "number");
    expect(kept.length).to.be.greaterThan(0);
    expect(kept.every((k) => k >= 0 && k <= 1) && kept.some((k) => k < 1) && kept.some((k) => k > 0), `kept ${kept}`).to.equal(true);
    expect(piLosses(f)).to.not.deep.equal(piLosses(a));
    // The filter is in the ONNX update graph alone: the tfjs fallback refuses it by name.
    await selectBackend("wasm");
    try {
      const onTfjs = { ...config, bc: { ...config.bc, qFilter: true } };
      expect(() => SacHerTrainer.start(join(dir, "bc-filtered-tfjs"), onTfjs, make, flatBc)).to.throw(
        /bc.qFilter runs on the ONNX Runtime learner only/,
      );
      expect(existsSync(join(dir, "bc-filtered-tfjs")), "no run directory left behind").to.equal(false);
    } finally {
      await selectBackend("ort");
    }
    // During the critic warm-up the actor's loss is the BC term alone (weight 1 here); after it, RL joins.
    const warm = SacHerTrainer.start(join(dir, "bc-warm"), { ...config, bc: { ...config.bc, criticWarmup: 40 } }, make, flatBc);
    await warm.run();
    warm.close();
    const w = comparable(readMetrics(join(dir, "bc-warm", "metrics.jsonl"))).filter((r) => r["loss/pi"] !== undefined);
    const bcOnly = (r: Record<string, unknown>): boolean => Math.abs((r["loss/pi"] as number) - (r["loss/bc"] as number)) < 1e-6;
    expect(w.filter((r) => (r.step as number) <= 40).every(bcOnly), "warm-up rows: loss/pi is the BC loss").to.equal(true);
    expect(w.filter((r) => (r.step as number) > 60).some(bcOnly), "after the warm-up RL is in the loss").to.equal(false);
    expect(withLosses.some(bcOnly), "without a warm-up RL is in every update's loss").to.equal(false);
    // Without a supervisor the flat trainer cannot read the demos, and says so before starting.
    expect(() => SacHerTrainer.start(join(dir, "bc-unsupervised"), config)).to.throw(/BcSupervisor/);
    expect(existsSync(join(dir, "bc-unsupervised"))).to.equal(false);
  });

  it("pretrains the flat baseline's actor on BC alone before its first env step, redone the same when resumed without a checkpoint", async () => {
    // The pretraining loop: the BC loss on a batch it never drew falls, and a stop is seen at a report.
    const set = readDemoFileForTest(demos);
    const agent = new Sac(6, 2, 1, sacConfig("seed", { hidden: [16, 16] }), 0);
    const supervision = flatBcSupervision(agent, set, { seed: 1, batchSize: 64 });
    const held = supervision.pretrainRows(10_000);
    const fixed = { input: held.input.slice(), target: held.target.slice() };
    const before = agent.bcValue(fixed, "mse-mean", 0);
    const reports: number[] = [];
    expect(
      await pretrainActor(agent, supervision.pretrainRows, { steps: 200, loss: "mse", logEvery: 100 }, (s) => reports.push(s)),
    ).to.equal(true);
    expect(reports).to.deep.equal([100, 200]);
    expect(agent.bcValue(fixed, "mse-mean", 0)).to.be.below(0.5 * before);
    const stopped: number[] = [];
    const options = { steps: 200, loss: "mse", logEvery: 100 } as const;
    expect(await pretrainActor(agent, supervision.pretrainRows, options, (s) => stopped.push(s), AbortSignal.abort())).to.equal(false);
    expect(stopped).to.deep.equal([100]);
    agent.dispose();

    // The trainer: rows at step 0, then the run; a kill before the first checkpoint, or a stop
    // during pretraining, resumes to the same metrics as a run never stopped.
    const config = { ...flat(), evalEpisodes: 2, bc: { ...flat().bc, pretrainSteps: 60 } };
    const full = SacHerTrainer.start(join(dir, "pre-full"), config, make, flatBc);
    await full.run();
    full.close();
    const a = comparable(readMetrics(join(dir, "pre-full", "metrics.jsonl")));
    expect(a.slice(0, 2).map((r) => r.step)).to.deep.equal([0, 0]);
    expect(a[0]!["pretrain/step"]).to.equal(60);
    expect(a[0]!["pretrain/loss"]).to.be.a("number").and.greaterThan(0);
    expect(a[1]!["pretrain/eval/success"]).to.be.a("number");
    expect(a.filter((r) => "pretrain/step" in r)).to.have.length(1);
    const plain = comparable(readMetrics(join(dir, "bc-full", "metrics.jsonl")));
    const piLosses = (rows: Record<string, unknown>[]): unknown[] => rows.map((r) => r["loss/pi"]).filter((v) => v !== undefined);
    expect(piLosses(a), "pretraining changes what the actor's updates see").to.not.deep.equal(piLosses(plain));
    for (const [name, first] of [
      ["pre-killed", { until: 30 }],
      ["pre-stopped", { stop: AbortSignal.abort() }],
      ["pre-checkpointed", { until: 70 }],
    ] as const) {
      const stoppedRun = SacHerTrainer.start(join(dir, name), config, make, flatBc);
      await stoppedRun.run(first);
      stoppedRun.close();
      const resumed = SacHerTrainer.resume(join(dir, name), make, flatBc);
      await resumed.run();
      resumed.close();
      expect(comparable(readMetrics(join(dir, name, "metrics.jsonl"))), name).to.deep.equal(a);
    }
    expect(() => SacHerTrainer.start(join(dir, "pre-bad"), { ...config, bc: { ...config.bc, pretrainSteps: -1 } }, make, flatBc)).to.throw(
      /pretrainSteps/,
    );
  });
});
