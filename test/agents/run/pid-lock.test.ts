import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { claimPidLock, lockRunDir } from "../../../agents/run/pid-lock.js";

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  return child.pid!;
}

describe("agents/run pid locks", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "pid-lock-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("is held while its process lives, and released by its owner", () => {
    const path = join(dir, "a.lock");
    const release = claimPidLock(path);
    expect(release).to.be.a("function");
    expect(readFileSync(path, "utf8")).to.equal(String(process.pid));
    expect(claimPidLock(path), "a second claim while the owner lives").to.equal(null);
    release!();
    expect(existsSync(path)).to.equal(false);
    expect(claimPidLock(path)).to.be.a("function");
  });

  it("is taken over when its process has died (a crash, a kill -9, the end of a sitting)", () => {
    const path = join(dir, "b.lock");
    writeFileSync(path, String(deadPid()));
    expect(claimPidLock(path)).to.be.a("function");
    expect(readFileSync(path, "utf8")).to.equal(String(process.pid));
    writeFileSync(path, "not a pid");
    expect(claimPidLock(path), "an unreadable lock").to.be.a("function");
  });

  it("refuses a run directory another process trains, naming it, and one that does not exist", () => {
    const run = join(dir, "run");
    mkdirSync(run);
    const release = lockRunDir(run);
    expect(() => lockRunDir(run)).to.throw(`${run} is being trained by process ${process.pid} (${join(run, "train.lock")}); stop it first`);
    release();
    lockRunDir(run)();
    expect(() => lockRunDir(join(dir, "none"))).to.throw(/none is not a run directory: it does not exist$/);
  });
});
