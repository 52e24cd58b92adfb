/**
 * Writes that a kill cannot tear: the data goes to a temp file beside the target, is fsynced, and
 * is renamed over the target (rename is atomic within a directory on POSIX), then the directory is
 * fsynced so that the rename itself survives a power cut. A reader sees the old file or the new
 * one, never a mixture. Split in two steps so that checkpoints can commit directories the same way
 * and tests can stop between them.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

let tempCounter = 0;

/** Temp names start with "." and contain ".tmp-": listings of run files skip them. */
export function isTempName(name: string): boolean {
  return name.startsWith(".") && name.includes(".tmp-");
}

/** A fresh temp path beside `path` (unique within this process and across live processes). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${tempCounter++}`);
}

/** Creates `path` (which must not exist) holding `data`, and fsyncs it before returning. */
export function writeFileDurable(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, "wx");
  try {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `data` to a new temp file beside `path` and fsyncs it; returns the temp path. */
export function writeTempFile(path: string, data: string | Uint8Array): string {
  const temp = tempPathFor(path);
  writeFileDurable(temp, data);
  return temp;
}

/** Renames a finished temp file or directory over `path`, then makes the rename durable. */
export function commitTemp(tempPath: string, path: string): void {
  renameSync(tempPath, path);
  fsyncDir(dirname(path));
}

/** Replaces `path` with `data` atomically. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  commitTemp(writeTempFile(path, data), path);
}

/** Flushes a directory's entries (creations, renames) to disk. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
