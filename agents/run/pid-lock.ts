/**
 * Lock files that name their owner: its host, its pid and a heartbeat. Two processes writing one
 * run directory interleave their metrics and overwrite each other's checkpoints; a lock whose
 * owner has died (a crash, a kill -9, the end of a sitting) must not block the resume.
 *
 * On one machine a pid says whether the owner lives. On a shared filesystem (a Slurm cluster) it
 * says nothing about another host's processes, so only the host a lock names may judge it by its
 * pid; elsewhere it counts as held until its heartbeat, which the owner rewrites every
 * HEARTBEAT_MS, is older than STALE_AFTER_MS (a node that failed, or a task Slurm killed).
 * Node has no portable advisory file lock, and NFS makes those unreliable anyway, hence this
 * small hand-written one.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../config-error.js";
import { tempPathFor, writeFileAtomic } from "./atomic-write.js";

/** How often a lock's owner rewrites its heartbeat. */
export const HEARTBEAT_MS = 30_000;
/**
 * A lock of another host whose heartbeat is older than this is stale: twenty missed heartbeats,
 * far beyond a loaded machine's or a slow filesystem's delays.
 */
export const STALE_AFTER_MS = 10 * 60_000;

/** What a lock file holds. */
export interface LockOwner {
  host: string;
  pid: number;
  /** When the owner last wrote the lock (ms since the epoch). */
  heartbeat: number;
}

export interface LockOptions {
  /** This process's host. @defaultValue thisHost() */
  host?: string;
  /** @defaultValue STALE_AFTER_MS */
  staleAfterMs?: number;
  /** @defaultValue HEARTBEAT_MS */
  heartbeatMs?: number;
}

/**
 * The name locks give this machine: RAPIER_GYM_HOST when set (containers that share one
 * hostname), else the OS's hostname.
 */
export function thisHost(): string {
  const named = process.env["RAPIER_GYM_HOST"];
  return named !== undefined && named !== "" ? named : hostname();
}

/**
 * Creates `path` exclusively, naming this process, and takes it over when its owner is gone.
 * Returns the release function (which also stops the heartbeat), or null when it is held.
 */
export function claimPidLock(path: string, options: LockOptions = {}): (() => void) | null {
  const host = options.host ?? thisHost();
  const staleAfterMs = options.staleAfterMs ?? STALE_AFTER_MS;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, ownerText(host), { flag: "wx" });
      return heartbeating(path, host, options.heartbeatMs ?? HEARTBEAT_MS);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (isHeld(readLockOwner(path), host, staleAfterMs)) return null;
      // Stale. Renamed aside rather than deleted: of two processes that both found it stale,
      // only one rename succeeds, so the other cannot delete the first one's fresh lock.
      const aside = tempPathFor(path);
      try {
        renameSync(path, aside);
      } catch (renameErr) {
        if ((renameErr as NodeJS.ErrnoException).code !== "ENOENT") throw renameErr;
        continue; // another process took it over first: try to create it again
      }
      rmSync(aside, { force: true });
    }
  }
  return null;
}

/**
 * Claims the run directory `root` for the process that trains it, through `root/train.lock`, or
 * throws naming the process and host that hold it.
 */
export function lockRunDir(root: string, options: LockOptions = {}): () => void {
  if (!existsSync(root)) throw new ConfigError(`${root} is not a run directory: it does not exist`);
  const path = join(root, "train.lock");
  const release = claimPidLock(path, options);
  if (release === null) {
    const owner = readLockOwner(path);
    const who = owner === null ? "another process" : `process ${owner.pid} on ${owner.host}`;
    throw new ConfigError(`${root} is being trained by ${who} (${path}); stop it first, or delete the lock if no such process trains it`);
  }
  return release;
}

/**
 * The owner `path` names, or null when it is gone or unreadable. A lock written before locks
 * named hosts holds a bare pid: it was written on this machine, where nothing else ran them.
 */
export function readLockOwner(path: string, host = thisHost()): LockOwner | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return null; // released between the failed create and this read
  }
  if (/^\d+$/.test(text.trim())) return { host, pid: Number(text), heartbeat: 0 };
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    const valid = typeof owner.host === "string" && Number.isInteger(owner.pid) && typeof owner.heartbeat === "number";
    return valid ? (owner as LockOwner) : null;
  } catch {
    return null;
  }
}

function isHeld(owner: LockOwner | null, host: string, staleAfterMs: number): boolean {
  if (owner === null) return false;
  if (owner.host === host) return processAlive(owner.pid);
  return Date.now() - owner.heartbeat < staleAfterMs;
}

function ownerText(host: string): string {
  return JSON.stringify({ host, pid: process.pid, heartbeat: Date.now() } satisfies LockOwner);
}

/** The release function of a lock this process now holds, whose heartbeat it keeps fresh. */
function heartbeating(path: string, host: string, heartbeatMs: number): () => void {
  const beat = (): void => {
    const owner = readLockOwner(path, host);
    // Taken over (this process was presumed dead): not ours to refresh.
    if (owner?.host === host && owner.pid === process.pid) writeFileAtomic(path, ownerText(host));
  };
  const timer = setInterval(beat, heartbeatMs);
  timer.unref(); // a lock never keeps a finished process alive
  return () => {
    clearInterval(timer);
    rmSync(path, { force: true });
  };
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
