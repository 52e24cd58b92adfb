import { expect } from "chai";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runExperiment } from "../../cli/experiment-command.js";
import { writeExperimentResults, type ExperimentResults } from "../../reporting/experiment-report.js";
import { readMetrics } from "../../agents/run/metrics-log.js";
import { readDemoFile } from "../../agents/demos/demo-file.js";
import { capturedWrites } from "../captured-writes.js";
import { argsIn, inTempDir, post, tinyExperiment } from "./tiny-experiment.js";

describe("experiments", () => {
  it("refuses to resume or report a run started under another config than its condition's now, and names it", async () => {
    await inTempDir(async (dir) => {
      const config = { algo: "sac", startSteps: 100 };
      const experiment = tinyExperiment({ id: "E0", env: "PointMassReach-v0", steps: 300, conditions: [{ label: "flat", config, post }] });
      const runsDir = join(dir, "runs");
      const args = { id: "E0", experiment, seeds: 1, jobs: 1, runsDir, resultsDir: join(dir, "results") };
      // A run started, in an earlier sitting, under startSteps 50.
      mkdirSync(join(runsDir, "flat-seed0"), { recursive: true });
      writeFileSync(
        join(runsDir, "flat-seed0", "config.json"),
        JSON.stringify({ algo: "sac", env: "PointMassReach-v0", steps: 300, seed: 0, startSteps: 50 }),
      );
      const oldConfig = JSON.stringify({ ...config, startSteps: 50 });
      writeFileSync(join(runsDir, "flat-seed0.config.json"), oldConfig);
      for (const reportOnly of [false, true]) {
        await runExperiment({ ...args, reportOnly }).then(
          () => expect.fail("a run started under another config must be refused"),
          (err: Error) =>
            expect(err.message)
              .to.match(/started under another config/)
              .and.include(`flat seed 0: ${join(runsDir, "flat-seed0")}`),
        );
      }
      // Nothing was trained, reported, or overwritten.
      expect(readFileSync(join(runsDir, "flat-seed0.config.json"), "utf8")).to.equal(oldConfig);
      expect(existsSync(join(runsDir, "flat-seed0.log"))).to.equal(false);
      expect(existsSync(join(dir, "results"))).to.equal(false);
      // Under the condition's config it is reported.
      writeFileSync(join(runsDir, "flat-seed0.config.json"), JSON.stringify(config));
      expect(await runExperiment({ ...args, reportOnly: true })).to.equal(0);
    });
  });

  it("trains only the conditions --condition names (by label or slug), reports them all, and refuses an unknown one by name", async function () {
    this.timeout(120_000);
    await inTempDir(async (dir) => {
      const config = { algo: "sac", startSteps: 100, evalEvery: 200, evalEpisodes: 1, sac: { hidden: [8, 8] } };
      const conditions = [
        { label: "Flat SAC", config, post },
        { label: "HAC k=5", config: { algo: "hac", startSteps: 100, hac: { sac: { hidden: [8, 8] } } }, post },
      ];
      const experiment = tinyExperiment({ id: "E0", env: "PointMassReach-v0", steps: 200, conditions });
      const args = { id: "E0", experiment, seeds: 1, jobs: 1, runsDir: join(dir, "runs"), resultsDir: join(dir, "results") };
      await runExperiment({ ...args, conditions: ["flat"] }).then(
        () => expect.fail("an unknown condition must be refused"),
        (err: Error) =>
          expect(err.message).to.equal(
            'E0 has no condition "flat"; its conditions (label, or the slug its runs are named by): "Flat SAC" (flat-sac), "HAC k=5" (hac-k-5)',
          ),
      );
      expect(existsSync(join(dir, "runs", "flat-sac-seed0.log"))).to.equal(false);
      expect(await runExperiment({ ...args, conditions: ["flat-sac"] })).to.equal(0);
      expect(existsSync(join(dir, "runs", "flat-sac-seed0", "policy", "sac.json"))).to.equal(true);
      expect(existsSync(join(dir, "runs", "hac-k-5-seed0.log"))).to.equal(false);
      const summary = JSON.parse(readFileSync(join(dir, "results", "summary.json"), "utf8"));
      expect(summary.conditions.map((c: { label: string; seeds: { steps: number }[] }) => [c.label, c.seeds[0]?.steps ?? 0])).to.deep.equal(
        [
          ["Flat SAC", 200],
          ["HAC k=5", 0],
        ],
      );
    });
  });

  it("reports a condition with a budget of its own as finished at it, and says so in the report's first lines", async () => {
    const rows = (episodes: number) =>
      Array.from({ length: episodes }, (_, i) => ({ step: 200 * (i + 1), episode: i + 1, "train/return": -150, "train/success": 0 }));
    const experiment = tinyExperiment({
      id: "E0",
      env: "PointMassPush-v0",
      steps: 80_000,
      conditions: [
        { label: "long", config: { algo: "sac" }, post },
        { label: "short", config: { algo: "sac", startSteps: 50 }, steps: 40_000, post },
      ],
    });
    await inTempDir(async (dir) => {
      const condition = (label: string, steps: number, episodes: number) => ({
        label,
        metric: "train/return" as const,
        steps,
        runs: [{ seed: 0, rows: rows(episodes) }],
      });
      // Both runs at 40k: the short condition is done, the long one is not.
      writeExperimentResults(dir, experiment, 80_000, [condition("long", 80_000, 200), condition("short", 40_000, 200)], "2026-01-01");
      const report = readFileSync(join(dir, "report.md"), "utf8");
      expect(report).to.include(
        "PointMassPush-v0, 80,000 env steps per run (or a condition's own budget, beside its seeds), produced 2026-01-01",
      );
      expect(report).to.include("**In progress:** 1 run(s) short of the budget: long: seed 0 at 40k; reported as they stand.");
      expect(report).to.match(/^\| long \| 1 \| not yet \(40k so far\) \|/m);
      expect(report).to.match(/^\| short \| 1 \(to 40k\) \| never \(never\) \|/m);
      const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as ExperimentResults;
      expect(summary.conditions.map((c) => c.steps)).to.deep.equal([undefined, 40_000]);
    });
  });

  it("trains a sameRunsAs condition in the other experiment's runs, and reports each experiment up to its own budget", async function () {
    this.timeout(300_000);
    await inTempDir(async (dir) => {
      const flat = { algo: "sac", startSteps: 100, evalEvery: 300, evalEpisodes: 1, sac: { hidden: [8, 8] } };
      const base = { env: "PointMassReach-v0" };
      const experiments = {
        E0: tinyExperiment({ ...base, id: "E0", steps: 300, conditions: [{ label: "flat", config: flat, post }] }),
        E0b: tinyExperiment({
          ...base,
          id: "E0b",
          steps: 400,
          conditions: [{ label: "flat again", config: flat, sameRunsAs: "E0", post }],
        }),
        E0c: tinyExperiment({
          ...base,
          id: "E0c",
          steps: 400,
          conditions: [{ label: "other", config: { ...flat, startSteps: 50 }, sameRunsAs: "E0", post }],
        }),
      };
      const args = argsIn(dir, experiments);
      expect(await runExperiment(args("E0b"))).to.equal(0);
      // E0b trained E0's run, to E0b's budget, and none of its own.
      expect(readdirSync(join(dir, "runs", "E0"))).to.include("flat-seed0");
      expect(readdirSync(join(dir, "runs", "E0b"))).to.deep.equal([]);
      const read = (id: string) => JSON.parse(readFileSync(join(dir, "results", id, "summary.json"), "utf8"));
      expect(read("E0b").conditions[0].seeds[0].steps).to.equal(400);
      expect(readFileSync(join(dir, "results", "E0b", "report.md"), "utf8")).to.match(
        /flat again: the same runs as E0's condition with this config/,
      );
      // Flat runs have no subgoals to draw.
      expect(readdirSync(join(dir, "results", "E0b")).sort()).to.deep.equal([
        "report.md",
        "return.svg",
        "runs",
        "success.svg",
        "summary.json",
      ]);
      expect(readdirSync(join(dir, "results", "E0b", "runs")).sort()).to.deep.equal([
        "flat-again-seed0.config.json",
        "flat-again-seed0.jsonl",
      ]);
      const reported = read("E0b");
      // E0 finds its run past its own 300 steps and reports it only up to them. It is done for
      // E0 even without its final policy (as while E0b still trains it): E0 leaves it alone.
      rmSync(join(dir, "runs", "E0", "flat-seed0", "policy"), { recursive: true });
      expect(await runExperiment(args("E0"))).to.equal(0);
      expect(read("E0").conditions[0].seeds[0].steps).to.equal(300);
      expect(existsSync(join(dir, "runs", "E0", "flat-seed0", "policy"))).to.equal(false);
      await runExperiment(args("E0c")).then(
        () => expect.fail("a sameRunsAs condition whose config the other experiment lacks must be refused"),
        (err: Error) => expect(err.message).to.match(/E0c "other": sameRunsAs E0, but E0 has no condition with the config/),
      );
      // In a fresh clone the run directories are gone; the results folder's copies of their
      // metrics still give the same report, and --skip-reported trains none of them again.
      rmSync(join(dir, "runs"), { recursive: true });
      const { result, written } = await capturedWrites(process.stderr, () => runExperiment({ ...args("E0b"), skipReported: true }));
      expect(result).to.equal(0);
      expect(existsSync(join(dir, "runs", "E0", "flat-seed0"))).to.equal(false);
      // Its progress counts the reported run as done, not as steps still to train.
      expect(written).to.match(/^E0b 400\/400  100%/m);
      expect(read("E0b")).to.deep.equal(reported);
      // Without the copies too (a report from before they were kept), the report would put
      // nothing in place of its figures: refused, and the report left as it was.
      rmSync(join(dir, "results", "E0b", "runs"), { recursive: true });
      await runExperiment({ ...args("E0b"), reportOnly: true }).then(
        () => expect.fail("a report whose runs are gone must not be replaced by an empty one"),
        (err: Error) => expect(err.message).to.match(/flat again seed 0: reported to 400 steps, its metrics now reach 0/),
      );
      expect(read("E0b")).to.deep.equal(reported);
      // A condition whose config has changed since is trained again, and its copy replaced.
      const changed = { ...flat, startSteps: 50 };
      experiments.E0 = tinyExperiment({ ...base, id: "E0", steps: 300, conditions: [{ label: "flat", config: changed, post }] });
      experiments.E0b = tinyExperiment({
        ...base,
        id: "E0b",
        steps: 400,
        conditions: [{ label: "flat again", config: changed, sameRunsAs: "E0", post }],
      });
      expect(await runExperiment({ ...args("E0b"), skipReported: true })).to.equal(0);
      expect(readMetrics(join(dir, "runs", "E0", "flat-seed0", "metrics.jsonl")).at(-1)!.step).to.equal(400);
      expect(JSON.parse(readFileSync(join(dir, "results", "E0b", "runs", "flat-again-seed0.config.json"), "utf8"))).to.deep.equal(changed);
      expect(readMetrics(join(dir, "results", "E0b", "runs", "flat-again-seed0.jsonl"))).to.deep.equal(
        readMetrics(join(dir, "runs", "E0", "flat-seed0", "metrics.jsonl")),
      );
    });
  });

  it("collects a demo set from a shipped policy's run directory, as the author collected from a trained model, under the runs' reward", async function () {
    this.timeout(300_000);
    const march2020 = { distanceMetric: "l1", distanceThreshold: 0.5 };
    await inTempDir(async (dir) => {
      const experiment = tinyExperiment({
        id: "E0",
        env: "PointMassPush-v0",
        steps: 200,
        demos: { policy: { source: "policies/push-sac-seed0", steps: 300, maxEpisodeSteps: 100, envKwargs: march2020 } },
        conditions: [
          {
            label: "relay",
            config: {
              algo: "rpl",
              envKwargs: march2020,
              demos: "$demos:policy",
              evalEvery: 200,
              evalEpisodes: 1,
              relay: { pretrainSteps: 2, pretrainEvalEpisodes: 1 },
              hac: { sac: { hidden: [8, 8] } },
            },
            post,
          },
        ],
      });
      const { result, written } = await capturedWrites(process.stderr, () =>
        runExperiment({ id: "E0", experiment, seeds: 1, jobs: 1, runsDir: join(dir, "runs"), resultsDir: join(dir, "results") }),
      );
      expect(result).to.equal(0);
      // Collecting is a phase of its own, with its own bar, before the runs' env steps.
      expect(written).to.match(/^E0 demos 300\/300 {2}100% .*ETA 0s$/m);
      expect(written.indexOf("E0 demos")).to.be.lessThan(written.search(/^E0 \d+\/200 /m));
      const demos = readDemoFile(join(dir, "runs", "demos-policy.bin"));
      expect(demos.source).to.match(/policies\/push-sac-seed0$/);
      expect(demos.envKwargs).to.deep.equal(march2020);
    });
  });

  it("on Ctrl-C stops each run at its episode end after a checkpoint, starts no more, and the same command resumes them", async function () {
    this.timeout(300_000);
    await inTempDir(async (dir) => {
      const config = { algo: "sac", startSteps: 100, evalEvery: 3000, evalEpisodes: 1, checkpointEvery: 3000, sac: { hidden: [8, 8] } };
      const experiment = tinyExperiment({ id: "E0", env: "PointMassReach-v0", steps: 3000, conditions: [{ label: "flat", config, post }] });
      const runsDir = join(dir, "runs");
      const args = { id: "E0", experiment, seeds: 3, jobs: 2, runsDir, resultsDir: join(dir, "results") };
      const episodeSteps = (run: string): number[] => {
        const metrics = join(runsDir, run, "metrics.jsonl");
        return existsSync(metrics) ? readMetrics(metrics).flatMap((r) => ("train/return" in r ? [r.step] : [])) : [];
      };
      const running = runExperiment(args);
      while (episodeSteps("flat-seed0").length < 2 || episodeSteps("flat-seed1").length < 2) await new Promise((r) => setTimeout(r, 100));
      process.emit("SIGINT", "SIGINT");
      expect(await running).to.equal(130);
      for (const run of ["flat-seed0", "flat-seed1"]) {
        // The last episode logged is the checkpoint's: nothing trained is lost.
        const last = episodeSteps(run).at(-1)!;
        expect(
          readdirSync(join(runsDir, run, "checkpoints"))
            .filter((f) => f.startsWith("step-"))
            .at(-1),
        ).to.equal(`step-${String(last).padStart(12, "0")}`);
        expect(readFileSync(join(runsDir, `${run}.log`), "utf8")).to.match(new RegExp(`stopped at step ${last};`));
        expect(existsSync(join(runsDir, run, "train.lock"))).to.equal(false);
      }
      expect(existsSync(join(runsDir, "flat-seed2"))).to.equal(false);
      expect(readdirSync(runsDir).filter((f) => f.endsWith(".lock"))).to.deep.equal([]);
      // Run again: each stopped run resumes at its checkpoint.
      const last0 = episodeSteps("flat-seed0").at(-1)!;
      expect(await runExperiment({ ...args, seeds: 1 })).to.equal(0);
      expect(readFileSync(join(runsDir, "flat-seed0.log"), "utf8")).to.match(new RegExp(`resuming .* at step ${last0}`));
    });
  });

  it("runs every condition and seed as its own process, writes the report, keeps finished runs and extends them", async function () {
    this.timeout(300_000);
    await inTempDir(async (dir) => {
      const experiment = tinyExperiment({
        id: "E0",
        env: "PointMassReach-v0",
        steps: 300,
        conditions: [
          { label: "flat", config: { algo: "sac", startSteps: 100, evalEvery: 300, evalEpisodes: 1, sac: { hidden: [8, 8] } }, post },
          {
            label: "HAC k=5",
            config: { algo: "hac", startSteps: 100, evalEvery: 300, evalEpisodes: 1, hac: { sac: { hidden: [8, 8] } } },
            post: { text: "-", stepsToThreshold: 1000 },
          },
          {
            label: "relay",
            config: {
              algo: "rpl",
              demos: "$demos:tiny",
              evalEvery: 300,
              evalEpisodes: 1,
              relay: { pretrainSteps: 5, pretrainEvalEpisodes: 2 },
              hac: { sac: { hidden: [8, 8] } },
            },
            post,
          },
        ],
        demos: { tiny: { source: "expert", steps: 150, maxEpisodeSteps: 50 } },
      });
      const args = { id: "E0", experiment, seeds: 1, jobs: 2, runsDir: join(dir, "runs"), resultsDir: join(dir, "results") };
      // --report before anything ran: every run is reported as in progress and nothing is trained.
      expect(await runExperiment({ ...args, reportOnly: true })).to.equal(0);
      expect(readFileSync(join(dir, "results", "report.md"), "utf8"))
        .to.match(/In progress:\*\* 3 run\(s\)/)
        .and.match(/\| not yet \(0k so far\) \| not yet \(0k so far\) \| – \| – \|/);
      expect(existsSync(join(dir, "runs", "flat-seed0.log"))).to.equal(false);
      // Two invocations at once (a second sitting while the first still runs): each run is
      // trained by exactly one of them, so neither meets a run directory the other is writing.
      expect(await Promise.all([runExperiment(args), runExperiment(args)])).to.deep.equal([0, 0]);
      expect(readdirSync(join(dir, "runs")).filter((f) => f.endsWith(".lock"))).to.deep.equal([]);
      for (const run of ["flat-seed0", "hac-k-5-seed0", "relay-seed0"])
        expect(existsSync(join(dir, "runs", run, "train.lock")), `${run}/train.lock`).to.equal(false);
      const summary = JSON.parse(readFileSync(join(dir, "results", "summary.json"), "utf8"));
      expect(summary.conditions.map((c: { label: string }) => c.label)).to.deep.equal(["flat", "HAC k=5", "relay"]);
      expect(summary.threshold).to.equal(-100); // the post's, unless the experiment names its own
      // The relay run was pretrained on the collected demos, and its pretrained-only evaluation is reported.
      expect(summary.conditions[2].seeds[0].pretrained).to.have.keys(["return", "success", "reachedOnce", "onDemoStarts"]);
      expect(summary.conditions[2].seeds[0].pretrained.onDemoStarts).to.have.keys(["return", "success", "reachedOnce"]);
      expect(readFileSync(join(dir, "results", "report.md"), "utf8")).to.match(/Pretrained only/);
      expect(summary.conditions[1].seeds[0].steps).to.equal(300);
      expect(readFileSync(join(dir, "results", "report.md"), "utf8"))
        .to.match(/\| HAC k=5 \| 1 \| /)
        .and.match(/!\[subgoals reached\]\(subgoal-reached.svg\)/);
      for (const f of ["return.svg", "success.svg", "subgoal-reached.svg", "windows.svg"]) statSync(join(dir, "results", f));
      // Run again: both runs are finished, so nothing is trained again.
      const log = join(dir, "runs", "flat-seed0.log");
      const before = statSync(log).size;
      expect(await runExperiment(args)).to.equal(0);
      expect(statSync(log).size).to.equal(before);
      // A larger --steps extends every finished run from its checkpoint instead of starting over.
      expect(await runExperiment({ ...args, steps: 400 })).to.equal(0);
      const extended = JSON.parse(readFileSync(join(dir, "results", "summary.json"), "utf8"));
      expect(extended.conditions.map((c: { seeds: { steps: number }[] }) => c.seeds[0]!.steps)).to.deep.equal([400, 400, 400]);
      expect(readFileSync(log, "utf8").slice(before)).to.match(/resuming .* at step 300/);
    });
  });
});
