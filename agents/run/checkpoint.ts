/**
 * Checkpoints of a run: one directory per checkpoint holding named binary blobs (weights,
 * optimiser state, replay buffer, RNG state: whatever the algorithm names) and a JSON manifest.
 *
 * A kill at any moment must leave the last complete checkpoint loadable, so a checkpoint is built
 * in a temp directory (every file fsynced, the manifest last), renamed into place, and only then
 * named by the `latest` pointer file (itself replaced atomically); older checkpoints are pruned
 * after that. The manifest records each blob's size and SHA-256, so a loader can tell a complete
 * checkpoint from a damaged one and fall back to an older one.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { commitTemp, fsyncDir, isTempName, tempPathFor, writeFileAtomic, writeFileDurable } from "./atomic-write.js";

const MANIFEST = "manifest.json";
const LATEST = "latest";
const NAME_PATTERN = /^step-(\d{12})$/;
const BLOB_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const manifestSchema = z.object({
  format: z.literal("rapier-gym-checkpoint/1"),
  step: z.number().int().nonnegative(),
  meta: z.unknown(),
  blobs: z.array(z.object({ name: z.string(), file: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string() })),
});

type Manifest = z.infer<typeof manifestSchema>;

export interface SaveCheckpointArgs {
  /** Env steps so far: names the checkpoint and orders checkpoints. */
  step: number;
  blobs: Readonly<Record<string, Uint8Array>>;
  /** Small JSON-able facts (episode count, algorithm, counters). */
  meta?: unknown;
  /** Complete checkpoints to keep, newest first. @defaultValue 2 */
  keep?: number;
}

export interface Checkpoint {
  /** The checkpoint's directory. */
  dir: string;
  step: number;
  meta: unknown;
  blobs: Map<string, Uint8Array>;
}

export interface LoadedCheckpoint {
  /** The newest complete checkpoint, or null when there is none. */
  checkpoint: Checkpoint | null;
  /** Checkpoint directories passed over, with the reason (a damaged blob, a missing manifest). */
  skipped: string[];
}

/** Directory name of the checkpoint at `step`: zero-padded so names sort as steps do. */
export function checkpointName(step: number): string {
  if (!Number.isInteger(step) || step < 0 || step >= 1e12)
    throw new RangeError(`checkpoint step must be an integer in [0, 1e12), got ${step}`);
  return `step-${String(step).padStart(12, "0")}`;
}

/** Writes a checkpoint under `root` and points `latest` at it; returns its directory. */
export function saveCheckpoint(root: string, args: SaveCheckpointArgs): string {
  const keep = args.keep ?? 2;
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`keep must be a positive integer, got ${keep}`);
  const name = checkpointName(args.step);
  mkdirSync(root, { recursive: true });
  removeTemps(root);

  const finalDir = join(root, name);
  const temp = tempPathFor(finalDir);
  mkdirSync(temp);
  const blobs: Manifest["blobs"] = [];
  for (const [blobName, bytes] of Object.entries(args.blobs)) {
    if (!BLOB_NAME_PATTERN.test(blobName)) throw new RangeError(`blob name ${JSON.stringify(blobName)} must match ${BLOB_NAME_PATTERN}`);
    const file = `${blobName}.bin`;
    writeFileDurable(join(temp, file), bytes);
    blobs.push({ name: blobName, file, bytes: bytes.length, sha256: sha256(bytes) });
  }
  const manifest: Manifest = { format: "rapier-gym-checkpoint/1", step: args.step, meta: args.meta ?? null, blobs };
  writeFileDurable(join(temp, MANIFEST), JSON.stringify(manifest, null, 2));
  fsyncDir(temp);

  // Saving a step again (after a resume) replaces the old directory: move it aside first, since
  // rename cannot replace a non-empty directory. A kill in between leaves `latest` dangling, and
  // the loader then scans for the newest complete checkpoint.
  if (existsSync(finalDir)) discard(finalDir);
  commitTemp(temp, finalDir);
  writeFileAtomic(join(root, LATEST), `${name}\n`);

  const complete = listCheckpoints(root);
  for (const old of complete.slice(0, Math.max(0, complete.length - keep))) discard(join(root, old.name));
  return finalDir;
}

/** Checkpoint directories under `root` (complete or not), oldest first. */
export function listCheckpoints(root: string): { name: string; step: number }[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .flatMap((name) => {
      const m = NAME_PATTERN.exec(name);
      return m && statSync(join(root, name)).isDirectory() ? [{ name, step: Number(m[1]) }] : [];
    })
    .sort((a, b) => a.step - b.step);
}

/**
 * The checkpoint `latest` names if it is complete, else the newest complete one found by
 * listing (a kill between the rename and the pointer update leaves the pointer one behind).
 */
export function loadLatestCheckpoint(root: string): LoadedCheckpoint {
  const skipped: string[] = [];
  const latestFile = join(root, LATEST);
  const candidates = listCheckpoints(root)
    .map((c) => c.name)
    .reverse();
  if (existsSync(latestFile)) {
    const pointed = readFileSync(latestFile, "utf8").trim();
    if (NAME_PATTERN.test(pointed)) candidates.unshift(pointed);
    else skipped.push(`latest: names ${JSON.stringify(pointed)}, not a checkpoint directory`);
  }
  const tried = new Set<string>();
  for (const name of candidates) {
    if (tried.has(name)) continue;
    tried.add(name);
    const result = readCheckpoint(join(root, name));
    if (typeof result === "string") skipped.push(`${name}: ${result}`);
    else return { checkpoint: result, skipped };
  }
  return { checkpoint: null, skipped };
}

/** The checkpoint in `dir`, or the reason it is not complete. */
export function readCheckpoint(dir: string): Checkpoint | string {
  const manifestPath = join(dir, MANIFEST);
  if (!existsSync(manifestPath)) return "no manifest";
  const manifest = manifestSchema.parse(JSON.parse(readFileSync(manifestPath, "utf8")));
  const blobs = new Map<string, Uint8Array>();
  for (const blob of manifest.blobs) {
    const path = join(dir, blob.file);
    if (!existsSync(path)) return `blob ${blob.name} is missing`;
    const bytes: Uint8Array = readFileSync(path);
    if (bytes.length !== blob.bytes || sha256(bytes) !== blob.sha256) return `blob ${blob.name} does not match its manifest`;
    blobs.set(blob.name, bytes);
  }
  return { dir, step: manifest.step, meta: manifest.meta, blobs };
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Removes a directory so that no half-deleted copy is ever visible under its checkpoint name. */
function discard(dir: string): void {
  const aside = tempPathFor(dir);
  renameSync(dir, aside);
  rmSync(aside, { recursive: true, force: true });
}

/** Temp directories left by a killed save: a run directory has one writer, so none is live. */
function removeTemps(root: string): void {
  for (const name of readdirSync(root)) {
    if (isTempName(name)) rmSync(join(root, name), { recursive: true, force: true });
  }
}

/** A checkpoint's blobs, looked up by name. */
export interface CheckpointBlobs {
  /** The named blob; throws naming the checkpoint when it is missing. */
  blob(name: string): Uint8Array;
  /** The named blob, or undefined: for blobs a later version added, which older checkpoints lack. */
  optionalBlob(name: string): Uint8Array | undefined;
}

/** The checkpoint a resumed run starts from. */
export interface ResumePoint extends CheckpointBlobs {
  step: number;
  meta: unknown;
}

/**
 * The latest complete checkpoint under `root` for `--resume`, or null when there is none yet;
 * damaged ones passed over are reported on stderr, so the user knows what was lost.
 */
export function resumePoint(root: string): ResumePoint | null {
  const { checkpoint, skipped } = loadLatestCheckpoint(root);
  for (const s of skipped) process.stderr.write(`resume: skipped ${s}\n`);
  if (checkpoint === null) return null;
  return {
    step: checkpoint.step,
    meta: checkpoint.meta,
    blob(name: string): Uint8Array {
      const b = checkpoint.blobs.get(name);
      if (!b) throw new Error(`checkpoint ${checkpoint.dir} has no "${name}" blob`);
      return b;
    },
    optionalBlob(name: string): Uint8Array | undefined {
      return checkpoint.blobs.get(name);
    },
  };
}
