import { expect } from "chai";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MetricsLog, readMetrics } from "../../../agents/run/metrics-log.js";
import { createRunDir, readRunConfig, runPaths } from "../../../agents/run/run-dir.js";

describe("run directory and metrics.jsonl", () => {
  let root: string;
  beforeEach(() => {
    root = join(mkdtempSync(join(tmpdir(), "run-")), "run");
  });
  afterEach(() => rmSync(join(root, ".."), { recursive: true, force: true }));

  it("creates the layout with config.json and refuses to start a second run in it", () => {
    const paths = createRunDir(root, { env: "PointMassReach-v0", seed: 1 });
    expect(readRunConfig(root)).to.deep.equal({ env: "PointMassReach-v0", seed: 1 });
    expect(paths).to.deep.equal(runPaths(root));
    expect(() => createRunDir(root, {})).to.throw(/already holds a run/);
  });

  it("appends one JSON object per log point and reads them back", () => {
    const { metrics } = createRunDir(root, {});
    const log = new MetricsLog(metrics);
    log.append({ step: 200, episode: 1, "train/return": -200, "train/success": 0, "time/steps_per_s": 512.5 });
    log.append({ step: 400, episode: 2, "train/return": -150, "eval/return": -120, "loss/qf": NaN });
    const lines = readFileSync(metrics, "utf8").trim().split("\n");
    expect(lines).to.have.length(2);
    expect(JSON.parse(lines[0]!)).to.deep.equal({
      step: 200,
      episode: 1,
      "train/return": -200,
      "train/success": 0,
      "time/steps_per_s": 512.5,
    });
    expect(readMetrics(metrics)[1]).to.deep.equal({ step: 400, episode: 2, "train/return": -150, "eval/return": -120, "loss/qf": null });
  });

  it("drops a line torn by a kill, and the rows after the checkpoint a run resumes from", () => {
    const { metrics } = createRunDir(root, {});
    const log = new MetricsLog(metrics);
    for (let i = 1; i <= 4; i++) log.append({ step: 100 * i, episode: i });
    appendFileSync(metrics, '{"step": 500, "epis');
    expect(readMetrics(metrics).map((r) => r.step)).to.deep.equal([100, 200, 300, 400]);
    const resumed = new MetricsLog(metrics);
    resumed.truncateAfter(200);
    resumed.append({ step: 300, episode: 3 });
    expect(readMetrics(metrics).map((r) => r.step)).to.deep.equal([100, 200, 300]);
  });

  it("repairs a torn tail when opened, so the next append starts on its own line", () => {
    const { metrics } = createRunDir(root, {});
    new MetricsLog(metrics).append({ step: 1, episode: 1 });
    appendFileSync(metrics, '{"step": 2');
    new MetricsLog(metrics).append({ step: 3, episode: 2 });
    expect(readMetrics(metrics).map((r) => r.step)).to.deep.equal([1, 3]);
  });
});
