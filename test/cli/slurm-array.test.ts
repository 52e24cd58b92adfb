import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { arraySpec, sbatchScript } from "../../cli/slurm-array.js";

const job = {
  name: "rapier-gym-E0",
  indices: [3, 0, 1, 2, 7],
  cwd: "/home/u/my runs",
  output: "/runs/E0/slurm-%A_%a.out",
  command: ["/usr/bin/node", "/repo/cli/bin.js", "experiment", "E0", "--steps", "300"],
};

describe("Slurm job arrays", () => {
  it("writes Slurm's array list with consecutive indices as ranges", () => {
    expect(arraySpec([0])).to.equal("0");
    expect(arraySpec([3, 0, 1, 2, 7, 7, 9, 10])).to.equal("0-3,7,9-10");
  });

  it("writes an sbatch script: one task per plan index, the run index from Slurm, the options as #SBATCH lines", () => {
    const script = sbatchScript(job, { partition: "cpu", time: "02:00:00", cpusPerTask: 2, sbatchArgs: ["--mem=4G", "--account=rl"] });
    expect(script.split("\n")).to.deep.equal([
      "#!/bin/bash",
      "#SBATCH --job-name=rapier-gym-E0",
      "#SBATCH --array=0-3,7",
      "#SBATCH --cpus-per-task=2",
      "#SBATCH --output=/runs/E0/slurm-%A_%a.out",
      "#SBATCH --partition=cpu",
      "#SBATCH --time=02:00:00",
      "#SBATCH --mem=4G",
      "#SBATCH --account=rl",
      "cd '/home/u/my runs'",
      'exec /usr/bin/node /repo/cli/bin.js experiment E0 --steps 300 --run-index "$SLURM_ARRAY_TASK_ID"',
      "",
    ]);
  });

  it("is a script bash parses", () => {
    const dir = mkdtempSync(join(tmpdir(), "sbatch-"));
    try {
      const file = join(dir, "job.sh");
      writeFileSync(file, sbatchScript(job));
      expect(spawnSync("bash", ["-n", file]).status, "bash -n").to.equal(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a --time Slurm would not take, naming it, and an empty array", () => {
    expect(() => sbatchScript(job, { time: "2h" })).to.throw('--time must be Slurm\'s [D-]HH:MM:SS (or MM, MM:SS, D-HH), not "2h"');
    for (const time of ["30", "1:30", "02:00:00", "1-12", "1-12:00:00"]) expect(() => sbatchScript(job, { time })).not.to.throw();
    expect(() => sbatchScript({ ...job, indices: [] })).to.throw("an array job needs at least one task");
  });
});
