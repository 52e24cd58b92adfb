import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadLatestCheckpoint, saveCheckpoint } from "../../agents/run/checkpoint.js";

const SCRIPT = new URL("../../scripts/carry-runs.sh", import.meta.url).pathname;

describe("scripts/carry-runs.sh", function () {
  this.timeout(60_000);
  let root: string;
  const carry = (verb: "pack" | "unpack") => execFileSync("bash", [join(root, "scripts", "carry-runs.sh"), verb], { encoding: "utf8" });
  /** A run directory with checkpoints at `steps` (its newest last) and, when `finished`, a policy. */
  const run = (dir: string, steps: number[], finished = false) => {
    const path = join(root, dir);
    mkdirSync(path, { recursive: true });
    writeFileSync(join(path, "config.json"), JSON.stringify({ algo: "sac", seed: 0 }));
    writeFileSync(join(path, "metrics.jsonl"), steps.map((step) => `${JSON.stringify({ step })}\n`).join(""));
    for (const step of steps)
      saveCheckpoint(join(path, "checkpoints"), {
        step,
        blobs: { sac: Uint8Array.of(step % 251, 1, 2), buffer: new Uint8Array(1000).fill(7) },
      });
    if (finished) mkdirSync(join(path, "policy"));
    return path;
  };
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "rapier-gym-carry-"));
    mkdirSync(join(root, "scripts"));
    copyFileSync(SCRIPT, join(root, "scripts", "carry-runs.sh"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("carries an unfinished run's newest checkpoint through a clone without it, and nothing of a finished run", () => {
    const unfinished = run("experiments/runs/E0/flat-seed0", [1000, 2000]);
    run("experiments/zoo/runs/PandaReach-v0/sac-seed0", [1000], true);
    expect(carry("pack")).to.match(/packed experiments\/runs\/E0\/flat-seed0 at step-000000002000/);
    expect(existsSync(join(root, "carry/experiments/zoo/runs/PandaReach-v0/sac-seed0.tar.xz"))).to.equal(false);
    // Packing again with nothing new rewrites nothing.
    expect(carry("pack")).to.equal("");

    rmSync(join(root, "experiments"), { recursive: true });
    expect(carry("unpack")).to.match(/unpacked experiments\/runs\/E0\/flat-seed0 at step-000000002000/);
    const { checkpoint, skipped } = loadLatestCheckpoint(join(unfinished, "checkpoints"));
    expect([checkpoint?.step, skipped]).to.deep.equal([2000, []]);
    expect(Array.from(checkpoint!.blobs.get("sac")!)).to.deep.equal([2000 % 251, 1, 2]);
    expect(readdirSync(unfinished).sort()).to.deep.equal(["checkpoints", "config.json", "metrics.jsonl"]);
  });

  it("keeps a run here that stands further than its archive, and drops the archive of a run since finished", () => {
    const path = run("experiments/runs/E0/flat-seed0", [1000]);
    carry("pack");
    saveCheckpoint(join(path, "checkpoints"), { step: 3000, blobs: { sac: Uint8Array.of(9) } });
    expect(carry("unpack")).to.match(/kept experiments\/runs\/E0\/flat-seed0 \(step-000000003000, the archive is at step-000000001000\)/);
    expect(loadLatestCheckpoint(join(path, "checkpoints")).checkpoint?.step).to.equal(3000);
    mkdirSync(join(path, "policy"));
    carry("pack");
    expect(readdirSync(join(root, "carry/experiments/runs/E0"))).to.deep.equal([]);
  });
});
