import { expect } from "chai";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runExperiment } from "../../cli/experiment-command.js";
import { collectDemoSetsOnce } from "../../cli/experiment-demos.js";
import { experimentSchema, type Experiment } from "../../experiments/experiment-config.js";
import { argsIn } from "../experiments/tiny-experiment.js";

describe("experiment's demo sets", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "rapier-gym-demos-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** An experiment whose one demo set is the scripted expert's on PointMassPush, `spec` over it. */
  function withDemos(spec: Record<string, unknown>): Experiment {
    const post = { text: "-", stepsToThreshold: null };
    return experimentSchema.parse({
      id: "E0",
      title: "t",
      postSummary: "-",
      env: "PointMassPush-v0",
      steps: 300,
      demos: { d: { source: "expert", steps: 150, maxEpisodeSteps: 50, ...spec } },
      conditions: [{ label: "flat", config: { algo: "sac" }, post }],
    });
  }

  it("collects a set once, and refuses by name one its spec has changed since, leaving the file as it is", async function () {
    this.timeout(120_000);
    const files = await collectDemoSetsOnce(withDemos({}), dir);
    const bytes = readFileSync(files["d"]!);
    // The same spec reuses the file.
    expect(await collectDemoSetsOnce(withDemos({}), dir)).to.deep.equal(files);
    const changes: [Record<string, unknown>, RegExp][] = [
      [{ steps: 1500 }, /holds 1\d\d demo steps, the spec asks for 1,500/],
      [{ steps: 50 }, /holds 1\d\d demo steps, the spec asks for 50/],
      [{ maxEpisodeSteps: 100 }, /holds episodes of up to 50 steps, the spec asks for 100/],
      [{ envKwargs: { distanceThreshold: 0.5 } }, /was collected with envKwargs \{\}, the spec asks for \{"distanceThreshold":0.5\}/],
      [{ env: "PointMassReach-v0" }, /holds demos of PointMassPush-v0, the spec asks for PointMassReach-v0/],
      [{ source: "policies/push-sac-seed0" }, /was collected from expert, the spec asks for policies\/push-sac-seed0/],
    ];
    for (const [change, message] of changes) {
      await collectDemoSetsOnce(withDemos(change), dir).then(
        () => expect.fail(`a set collected before ${JSON.stringify(change)} must be refused`),
        (err: Error) => {
          expect(err.message).to.include(`E0's demo set "d": ${files["d"]}`);
          expect(err.message).to.match(message);
          expect(err.message).to.match(/move it aside \(with the runs trained from it\) to collect it again$/);
        },
      );
    }
    expect(readFileSync(files["d"]!).equals(bytes)).to.equal(true);
  });

  it("a sameRunsAs condition trains from the other experiment's demo set of that name, collected in its runs folder", async function () {
    this.timeout(300_000);
    const post = { text: "-", stepsToThreshold: null };
    const bc = {
      algo: "sac",
      startSteps: 100,
      evalEvery: 200,
      evalEpisodes: 1,
      sac: { hidden: [8, 8] },
      bc: { demos: "$demos:d", batchSize: 16 },
    };
    const shape = { title: "t", postSummary: "-", env: "PointMassPush-v0", steps: 200 };
    const experiments: Record<string, Experiment> = {
      E0: experimentSchema.parse({
        ...shape,
        id: "E0",
        demos: { d: { source: "expert", steps: 150, maxEpisodeSteps: 50 } },
        conditions: [{ label: "bc", config: bc, post }],
      }),
      // E0b defines no demo set of its own: "$demos:d" is E0's.
      E0b: experimentSchema.parse({ ...shape, id: "E0b", conditions: [{ label: "bc too", config: bc, sameRunsAs: "E0", post }] }),
    };
    const args = argsIn(dir, experiments);
    expect(await runExperiment(args("E0b"))).to.equal(0);
    const demos = join(dir, "runs", "E0", "demos-d.bin");
    expect(existsSync(demos)).to.equal(true);
    expect(readdirSync(join(dir, "runs", "E0b"))).to.deep.equal([]);
    const runConfig = JSON.parse(readFileSync(join(dir, "runs", "E0", "bc-seed0", "config.json"), "utf8")) as { bc: { demos: string } };
    expect(runConfig.bc.demos).to.equal(demos);
    // E0 finds the run done under its own config: not refused as started under another, nor trained again.
    const before = readFileSync(join(dir, "runs", "E0", "bc-seed0", "metrics.jsonl"));
    expect(await runExperiment(args("E0"))).to.equal(0);
    expect(readFileSync(join(dir, "runs", "E0", "bc-seed0", "metrics.jsonl")).equals(before)).to.equal(true);
  });
});
