/**
 * A training run killed with SIGKILL (no handler runs, no checkpoint is written on the way out)
 * resumes from its last checkpoint to exactly the metrics of a run never interrupted, on the
 * ONNX Runtime learner: the process is the real CLI, the kill a real `kill -9`.
 */
import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listCheckpoints } from "../../agents/run/checkpoint.js";
import { readMetrics } from "../../agents/run/metrics-log.js";
import { comparable } from "../agents/run/comparable-metrics.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const config = {
  env: "PointMassReach-v0",
  algo: "sac",
  steps: 4000,
  startSteps: 100,
  evalEvery: 500,
  evalEpisodes: 2,
  checkpointEvery: 300,
  sac: { hidden: [32, 32], batchSize: 32 },
};

function train(out: string, configFile: string, resume: boolean): ReturnType<typeof spawnSync> {
  const args = resume ? ["--resume", "--out", out] : ["--config", configFile, "--out", out, "--backend", "ort"];
  return spawnSync(process.execPath, ["--import", "tsx", "cli/main.ts", "train", ...args], { cwd: ROOT, encoding: "utf8" });
}

/** Starts a run and SIGKILLs it between checkpoints: once one exists and the metrics have moved past it. */
async function startAndKill(out: string, configFile: string): Promise<void> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "cli/main.ts", "train", "--config", configFile, "--out", out, "--backend", "ort"],
    { cwd: ROOT, stdio: "ignore" },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 90_000;
  for (;;) {
    const latest = existsSync(out) ? Math.max(0, ...listCheckpoints(join(out, "checkpoints")).map((c) => c.step)) : 0;
    if (latest > 0 && readMetrics(join(out, "metrics.jsonl")).some((r) => r.step > latest + 100)) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the run to kill ended or stalled (exit ${child.exitCode})`);
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGKILL");
  await exited;
  expect(child.signalCode).to.equal("SIGKILL");
}

describe("a run killed with kill -9 resumes exactly (ort)", function () {
  this.timeout(240_000);
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "rapier-gym-kill-"));
    writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("gives the metrics of the uninterrupted run, policy included", async () => {
    const configFile = join(dir, "config.json");
    const full = train(join(dir, "full"), configFile, false);
    expect(full.status, String(full.stderr)).to.equal(0);
    expect(String(full.stderr)).to.match(/learner: ONNX Runtime/);
    // tfjs-cpu's advice to install tfjs-node does not apply when ONNX Runtime learns.
    expect(String(full.stderr) + String(full.stdout)).not.to.include("looks like you are running TensorFlow.js");
    const killed = join(dir, "killed");
    await startAndKill(killed, configFile);
    expect(existsSync(join(killed, "policy", "policy.onnx"))).to.equal(false);
    expect(existsSync(join(killed, "plots", "return.svg"))).to.equal(false);
    const resumed = train(killed, configFile, true);
    expect(resumed.status, String(resumed.stderr)).to.equal(0);
    expect(String(resumed.stderr)).to.match(/resuming .* at step [1-9]\d*00\b/);
    expect(comparable(readMetrics(join(killed, "metrics.jsonl")))).to.deep.equal(
      comparable(readMetrics(join(dir, "full", "metrics.jsonl"))),
    );
    expect(readFileSync(join(killed, "policy", "policy.onnx")).equals(readFileSync(join(dir, "full", "policy", "policy.onnx")))).to.equal(
      true,
    );
    // The CLI draws the plots once the run ends, the same for both.
    for (const file of ["return.svg", "success.svg"])
      expect(readFileSync(join(killed, "plots", file), "utf8")).to.equal(readFileSync(join(dir, "full", "plots", file), "utf8"));
  });
});
