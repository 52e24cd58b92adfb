import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { claimPidLock, lockRunDir, readLockOwner, STALE_AFTER_MS, thisHost } from "../../../agents/run/pid-lock.js";

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  return child.pid!;
}

const LOCK_MODULE = new URL("../../../agents/run/pid-lock.ts", import.meta.url).pathname;

/**
 * Another "host": a process that claims `path` with RAPIER_GYM_HOST=`host`, says so, and holds
 * the lock until it is killed.
 */
async function holderOnHost(path: string, host: string): Promise<{ pid: number; kill: () => Promise<void> }> {
  const script = `const { claimPidLock } = await import(${JSON.stringify(LOCK_MODULE)}); console.log(claimPidLock(${JSON.stringify(path)}) === null ? "held" : "claimed"); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    env: { ...process.env, RAPIER_GYM_HOST: host },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const said = await new Promise<string>((resolve) => child.stdout.once("data", (d: Buffer) => resolve(d.toString().trim())));
  expect(said).to.equal("claimed");
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { pid: child.pid!, kill: () => (child.kill("SIGKILL"), exited) };
}

describe("agents/run pid locks", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "pid-lock-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("is held while its process lives, names its host and pid, and is released by its owner", () => {
    const path = join(dir, "a.lock");
    const release = claimPidLock(path);
    expect(release).to.be.a("function");
    expect(readLockOwner(path)).to.include({ host: thisHost(), pid: process.pid });
    expect(claimPidLock(path), "a second claim while the owner lives").to.equal(null);
    release!();
    expect(existsSync(path)).to.equal(false);
    expect(claimPidLock(path)).to.be.a("function");
  });

  it("is taken over when its process has died (a crash, a kill -9, the end of a sitting), in the old bare-pid form too", () => {
    const path = join(dir, "b.lock");
    writeFileSync(path, JSON.stringify({ host: thisHost(), pid: deadPid(), heartbeat: Date.now() }));
    expect(claimPidLock(path)).to.be.a("function");
    expect(readLockOwner(path)?.pid).to.equal(process.pid);
    writeFileSync(path, String(deadPid()));
    expect(claimPidLock(path), "a bare pid from before locks named hosts").to.be.a("function");
    writeFileSync(path, String(process.pid));
    expect(claimPidLock(path), "a bare pid that lives").to.equal(null);
    writeFileSync(path, "not a lock");
    expect(claimPidLock(path), "an unreadable lock").to.be.a("function");
  });

  it("on another host counts as held whatever its pid, until its heartbeat is older than the timeout", async function () {
    this.timeout(60_000);
    const path = join(dir, "c.lock");
    const a = await holderOnHost(path, "node-a");
    expect(readLockOwner(path)).to.include({ host: "node-a", pid: a.pid });
    expect(claimPidLock(path, { host: "node-b" }), "node-b, while node-a's owner lives").to.equal(null);
    await a.kill();
    // Dead, but node-b cannot see node-a's processes: only a stale heartbeat frees it.
    expect(claimPidLock(path, { host: "node-b" }), "node-b, after node-a's owner died").to.equal(null);
    const owner = readLockOwner(path)!;
    writeFileSync(path, JSON.stringify({ ...owner, heartbeat: Date.now() - STALE_AFTER_MS + 5_000 }));
    expect(claimPidLock(path, { host: "node-b" }), "a heartbeat younger than the timeout").to.equal(null);
    writeFileSync(path, JSON.stringify({ ...owner, heartbeat: Date.now() - STALE_AFTER_MS - 1 }));
    const release = claimPidLock(path, { host: "node-b" });
    expect(release, "a heartbeat older than the timeout").to.be.a("function");
    expect(readLockOwner(path)).to.include({ host: "node-b", pid: process.pid });
    release!();
    // Its own host judges it by its pid at once.
    const b = await holderOnHost(path, "node-a");
    expect(claimPidLock(path, { host: "node-a" }), "node-a, while its owner lives").to.equal(null);
    await b.kill();
    expect(claimPidLock(path, { host: "node-a" }), "node-a, once its owner died").to.be.a("function");
  });

  it("keeps its heartbeat fresh while held, and stops when released", async () => {
    const path = join(dir, "d.lock");
    const release = claimPidLock(path, { heartbeatMs: 20 })!;
    const first = readLockOwner(path)!.heartbeat;
    await sleep(120);
    expect(readLockOwner(path)!.heartbeat).to.be.greaterThan(first);
    release();
    await sleep(60);
    expect(existsSync(path), "no beat after the release brings it back").to.equal(false);
  });

  it("refuses a run directory another process trains, naming it and its host, and one that does not exist", () => {
    const run = join(dir, "run");
    mkdirSync(run);
    const release = lockRunDir(run);
    expect(() => lockRunDir(run)).to.throw(
      `${run} is being trained by process ${process.pid} on ${thisHost()} (${join(run, "train.lock")}); stop it first`,
    );
    release();
    lockRunDir(run)();
    expect(() => lockRunDir(join(dir, "none"))).to.throw(/none is not a run directory: it does not exist$/);
  });
});
