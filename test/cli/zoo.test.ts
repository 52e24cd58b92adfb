import { expect } from "chai";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runZoo, type ZooPaths } from "../../cli/zoo-command.js";
import { zooIds } from "../../experiments/zoo-entries.js";
import { loadExperiment } from "../../experiments/experiment-config.js";
import { ZOO_DIR } from "../../experiments/zoo-entries.js";
import { pct, type ZooResults } from "../../reporting/zoo-report.js";

const README = [
  "# A project",
  "",
  "<!-- zoo-table:start (written by `rapier-gym zoo --table`) -->",
  "old table",
  "<!-- zoo-table:end -->",
  "",
  "After.",
].join("\n");

describe("rapier-gym zoo", function () {
  let dir: string;
  let paths: ZooPaths;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "rapier-gym-zoo-"));
    paths = { entries: join(dir, "zoo"), results: join(dir, "results"), readme: join(dir, "README.md"), policies: join(dir, "policies") };
    mkdirSync(paths.entries);
    writeFileSync(paths.readme, README);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("parses every entry of the repository's zoo, each named for its env", () => {
    expect(zooIds()).to.include("PandaReach-v0");
    for (const id of zooIds()) {
      const e = loadExperiment(join(ZOO_DIR, `${id}.json`));
      expect([e.id, e.env]).to.deep.equal([id, id]);
      expect(e.conditions[0]!.metric).to.equal("eval/return");
    }
  });

  it("trains an entry's seeds, reports success against the expert and the floor, writes the README table and ships the best run", async function () {
    this.timeout(300_000);
    const entry = {
      id: "PandaReach-v0",
      title: "tiny",
      env: "PandaReach-v0",
      steps: 300,
      defaultSeeds: 2,
      successGoal: 0.9,
      conditions: [
        {
          label: "SAC + HER",
          config: { algo: "sac", startSteps: 100, evalEvery: 100, evalEpisodes: 2, sac: { hidden: [8, 8], batchSize: 32 } },
          metric: "eval/return",
          post: { text: "-", stepsToThreshold: null },
        },
        {
          // A row of a budget of its own, below the entry's: it is reported finished there.
          label: "TQC + HER",
          steps: 200,
          config: {
            algo: "sac",
            startSteps: 100,
            evalEvery: 100,
            evalEpisodes: 2,
            sac: { hidden: [8, 8], batchSize: 32, tqc: { quantiles: 5, dropPerNet: 1 } },
          },
          metric: "eval/return",
          post: { text: "-", stepsToThreshold: null },
        },
      ],
      postSummary: "a reference",
    };
    writeFileSync(join(paths.entries, "PandaReach-v0.json"), JSON.stringify(entry));
    expect(await runZoo({ envs: [], jobs: 2 }, paths)).to.equal(0);
    const results = join(paths.results, "PandaReach-v0");
    const summary = JSON.parse(readFileSync(join(results, "summary.json"), "utf8")) as ZooResults;
    expect(summary.conditions[0]!.seeds.map((s) => [s.seed, s.steps])).to.deep.equal([
      [0, 300],
      [1, 300],
    ]);
    expect(summary.conditions[1]!.seeds.map((s) => [s.seed, s.steps])).to.deep.equal([
      [0, 200],
      [1, 200],
    ]);
    expect(summary.conditions.map((c) => c.wallClockS! > 0)).to.deep.equal([true, true]);
    expect(summary.conditions.map((c) => [c.label, c.algo, c.steps, c.seeds.length])).to.deep.equal([
      ["SAC + HER", "sac", undefined, 2],
      ["TQC + HER", "tqc", 200, 2],
    ]);
    // The scripted expert reaches the goal; the arm held still almost never starts there.
    expect(summary.expert!.successRate).to.be.at.least(0.9);
    expect(summary.floor.successRate).to.be.below(0.2);
    expect(summary.floor.episodes).to.equal(100);
    expect(readFileSync(join(results, "success.svg"), "utf8"))
      .to.match(/data-label="scripted expert/)
      .and.match(/data-label="zero action/);
    expect(readFileSync(join(results, "report.md"), "utf8"))
      .to.match(/\| SAC \+ HER \| 0k \| 2 \| /)
      .and.match(/Goal: 90% final eval success/)
      .and.not.match(/In progress/);
    // The goal is judged on the better condition, named, whichever of the two it is.
    const better = summary.conditions.reduce((a, b) => (b.finalSuccess!.mean > a.finalSuccess!.mean ? b : a));
    expect(readFileSync(join(results, "report.md"), "utf8")).to.include(`at best ${pct(better.finalSuccess!.mean)} (${better.label})`);

    // The table goes between the markers, twice over to the same file, and nothing else changes.
    for (let i = 0; i < 2; i++) expect(await runZoo({ envs: [], table: true }, paths)).to.equal(0);
    const readme = readFileSync(paths.readme, "utf8");
    expect(readme).not.to.include("old table");
    expect(readme.startsWith("# A project\n\n<!-- zoo-table:start")).to.equal(true);
    expect(readme.endsWith("<!-- zoo-table:end -->\n\nAfter.")).to.equal(true);
    expect(readme).to.match(
      /\| \[PandaReach-v0\]\(results\/zoo\/PandaReach-v0\/report.md\) \| SAC \+ HER \| 0k \| 2 \| \d+% \(\d+%–\d+%\) \/ 90% \|/,
    );

    // The best run over both conditions ships, named for its algorithm, with its own config; what
    // an earlier ship left under the entry's other algorithm goes, another task's policy stays.
    const runs = summary.conditions.flatMap((c) => c.seeds.map((s) => ({ algo: c.algo, seed: s.seed, success: s.finalSuccess })));
    const best = runs.reduce((a, b) => (b.success > a.success ? b : a));
    const earlier = join(paths.policies, `pandareach-v0-${best.algo === "sac" ? "tqc" : "sac"}`);
    const other = join(paths.policies, "pandapush-v0-sac");
    for (const d of [earlier, other]) mkdirSync(join(d, "policy"), { recursive: true });
    expect(await runZoo({ envs: ["PandaReach-v0"], ship: true }, paths)).to.equal(0);
    expect([existsSync(earlier), existsSync(other)]).to.deep.equal([false, true]);
    const shipped = join(paths.policies, `pandareach-v0-${best.algo}`);
    for (const f of ["config.json", "metrics.jsonl", "policy/policy.onnx"]) expect(existsSync(join(shipped, f)), f).to.equal(true);
    expect(existsSync(join(shipped, "checkpoints"))).to.equal(false);
    const config = JSON.parse(readFileSync(join(shipped, "config.json"), "utf8")) as { seed: number; sac: { tqc?: unknown } };
    expect([config.seed, config.sac.tqc !== undefined]).to.deep.equal([best.seed, best.algo === "tqc"]);

    // A fresh clone has the results folder but no runs: --skip-reported trains none of them again
    // and reports the same runs from the results folder's copies.
    const runsDir = join(paths.entries, "runs", "PandaReach-v0");
    rmSync(runsDir, { recursive: true });
    expect(await runZoo({ envs: [], skipReported: true }, paths)).to.equal(0);
    expect(readdirSync(runsDir).filter((f) => f.includes("-seed") && !f.endsWith(".config.json"))).to.deep.equal([]);
    const again = JSON.parse(readFileSync(join(results, "summary.json"), "utf8")) as ZooResults;
    expect(again.conditions).to.deep.equal(summary.conditions);
  });

  it("refuses an env without an entry by naming the entries there are, and a README without the table's markers", async () => {
    writeFileSync(join(paths.entries, "PandaReach-v0.json"), "{}");
    let error: unknown = null;
    await runZoo({ envs: ["PandaFly-v0"] }, paths).catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/no entry PandaFly-v0: its entries are PandaReach-v0/);
    writeFileSync(paths.readme, "# no markers\n");
    error = null;
    await runZoo({ envs: [], table: true }, paths).catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/has no zoo table markers/);
    expect(readFileSync(paths.readme, "utf8")).to.equal("# no markers\n");
  });
});
