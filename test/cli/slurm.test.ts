import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { findSlurm, requireTool } from "../external-tools.js";

const CLI = new URL("../../cli/bin.js", import.meta.url).pathname;
const REPO = new URL("../..", import.meta.url).pathname;

/** `rapier-gym <args>` run to its end: exit code, stdout, stderr. */
function cli(args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: "utf8" });
  return { code: r.status ?? 1, out: r.stdout, err: r.stderr };
}

/** The array tasks of job `id` that squeue still lists (pending or running). */
function liveTasks(id: string): string[] {
  const r = spawnSync("squeue", ["--noheader", "--jobs", id, "--format", "%i %T"], { encoding: "utf8" });
  return r.stdout.split("\n").filter((l) => l.trim() !== "");
}

async function waitFor(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

function lastStep(metricsFile: string): number {
  if (!existsSync(metricsFile)) return 0;
  const lines = readFileSync(metricsFile, "utf8").trim().split("\n");
  return (JSON.parse(lines.at(-1)!) as { step: number }).step;
}

const post = { text: "-", stepsToThreshold: null };
const tiny = { startSteps: 100, evalEvery: 300, evalEpisodes: 1, checkpointEvery: 100 };

describe("experiment --slurm on a real Slurm cluster", function () {
  this.timeout(600_000);
  let dir: string;
  before(function () {
    requireTool(this, "the Slurm end-to-end tests", findSlurm());
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "rapier-gym-slurm-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("submits two conditions × two seeds as one array; every run trains, and --report reports them", async () => {
    const file = join(dir, "E90.json");
    const conditions = [
      { label: "flat", config: { algo: "sac", ...tiny, sac: { hidden: [8, 8] } }, post },
      { label: "HAC k=5", config: { algo: "hac", ...tiny, hac: { sac: { hidden: [8, 8] } } }, post },
    ];
    writeFileSync(
      file,
      JSON.stringify({ id: "E90", title: "t", env: "PointMassReach-v0", steps: 300, defaultSeeds: 2, postSummary: "-", conditions }),
    );
    const dry = cli(["experiment", file, "--slurm", "--dry-run", "--time", "00:10:00"]);
    expect(dry.code, dry.err).to.equal(0);
    expect(dry.out)
      .to.match(/^#SBATCH --array=0-3$/m)
      .and.match(/^#SBATCH --time=00:10:00$/m)
      .and.include(`experiment ${file} --seeds 2 --steps 300 --run-index`);
    expect(
      readdirSync(join(dir, "runs", "E90")).filter((f) => f.startsWith("slurm-")),
      "a dry run submits nothing",
    ).to.deep.equal([]);

    const submitted = cli(["experiment", file, "--slurm"]);
    expect(submitted.code, submitted.err).to.equal(0);
    const job = submitted.out.trim();
    expect(job).to.match(/^\d+$/);
    expect(submitted.err).to.include(`squeue -j ${job}`).and.include(`rapier-gym experiment ${file} --report`);
    await waitFor(`job ${job}`, () => liveTasks(job).length === 0, 300_000);

    for (const run of ["flat-seed0", "flat-seed1", "hac-k-5-seed0", "hac-k-5-seed1"]) {
      const runDir = join(dir, "runs", "E90", run);
      expect(lastStep(join(runDir, "metrics.jsonl")), run).to.equal(300);
      expect(existsSync(join(runDir, "policy", run.startsWith("flat") ? "sac.json" : "hac.json")), `${run}'s policy`).to.equal(true);
      expect(existsSync(join(runDir, "train.lock")) || existsSync(`${runDir}.lock`), `${run}'s locks released`).to.equal(false);
    }
    const again = cli(["experiment", file, "--slurm"]);
    expect(again.err, "a second submission once all are done").to.match(/nothing to submit: 4 of 4 runs are finished/);

    const report = cli(["experiment", file, "--report"]);
    expect(report.code, report.err).to.equal(0);
    const summary = JSON.parse(readFileSync(join(dir, "results", "E90", "summary.json"), "utf8")) as {
      conditions: { label: string; seeds: { steps: number }[] }[];
    };
    expect(summary.conditions.map((c) => [c.label, c.seeds.map((s) => s.steps)])).to.deep.equal([
      ["flat", [300, 300]],
      ["HAC k=5", [300, 300]],
    ]);
  });

  it("resubmits a run whose task was cancelled mid-run, and the run resumes from its checkpoint", async () => {
    const file = join(dir, "E91.json");
    const conditions = [{ label: "flat", config: { algo: "sac", ...tiny, evalEvery: 3000, sac: { hidden: [8, 8] } }, post }];
    writeFileSync(
      file,
      JSON.stringify({ id: "E91", title: "t", env: "PointMassReach-v0", steps: 3000, defaultSeeds: 1, postSummary: "-", conditions }),
    );
    const first = cli(["experiment", file, "--slurm"]);
    expect(first.code, first.err).to.equal(0);
    const job = first.out.trim();
    const runDir = join(dir, "runs", "E91", "flat-seed0");
    await waitFor(
      "a checkpoint",
      () =>
        existsSync(join(runDir, "checkpoints")) &&
        readdirSync(join(runDir, "checkpoints")).length > 0 &&
        lastStep(join(runDir, "metrics.jsonl")) >= 300,
      180_000,
    );
    expect(spawnSync("scancel", [job]).status).to.equal(0);
    await waitFor(`job ${job} to end`, () => liveTasks(job).length === 0, 120_000);
    const stoppedAt = lastStep(join(runDir, "metrics.jsonl"));
    expect(stoppedAt, "cancelled before its end").to.be.lessThan(3000);

    const second = cli(["experiment", file, "--slurm"]);
    expect(second.code, second.err).to.equal(0);
    const job2 = second.out.trim();
    expect(job2).to.not.equal(job);
    await waitFor(`job ${job2}`, () => liveTasks(job2).length === 0, 300_000);
    const log = readFileSync(`${runDir}.log`, "utf8");
    const resumed = /resuming \S+ at step (\d+)/.exec(log);
    expect(resumed, "the resubmitted task resumed the run").to.not.equal(null);
    expect(Number(resumed![1])).to.be.greaterThan(0).and.at.most(stoppedAt);
    expect(lastStep(join(runDir, "metrics.jsonl"))).to.equal(3000);
    expect(existsSync(join(runDir, "policy", "sac.json"))).to.equal(true);
  });
});
