/**
 * `metrics.jsonl`: one JSON object per log point, appended as training goes.
 *
 * Appending one line is cheap and, unlike rewriting the file, costs nothing as it grows. A kill
 * can tear the last line; opening the log cuts such a tail off, and a resumed run cuts the rows
 * logged after the checkpoint it resumes from, so the file never holds a step twice.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "./atomic-write.js";

/**
 * One log point. `step` counts env steps and `episode` finished training episodes; the other
 * fields are optional, as SB3's logger names them: `train/return`, `train/success`,
 * `eval/return`, `eval/success`, losses (`loss/<name>`), `time/steps_per_s`, `time/elapsed_s` (since the sitting began). JSON has no NaN:
 * a non-finite value is written, and read back, as null.
 */
export interface MetricsRow {
  step: number;
  episode: number;
  [key: string]: number | null;
}

export class MetricsLog {
  constructor(readonly path: string) {
    if (existsSync(path)) {
      const text = readFileSync(path, "utf8");
      if (text.length > 0 && !text.endsWith("\n")) writeFileAtomic(path, text.slice(0, text.lastIndexOf("\n") + 1));
    }
  }

  append(row: MetricsRow): void {
    if (!Number.isFinite(row.step) || !Number.isFinite(row.episode))
      throw new TypeError(`a metrics row needs finite step and episode, got ${JSON.stringify(row)}`);
    appendFileSync(this.path, `${JSON.stringify(row)}\n`);
  }

  /** Drops the rows logged after `step`, for a run resumed from the checkpoint at `step`. */
  truncateAfter(step: number): void {
    const kept = readMetrics(this.path).filter((row) => row.step <= step);
    writeFileAtomic(this.path, kept.map((row) => `${JSON.stringify(row)}\n`).join(""));
  }
}

/** The rows of a metrics file; a torn last line (a kill mid-append) is left out. */
export function readMetrics(path: string): MetricsRow[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, "utf8").split("\n");
  const complete = lines.slice(0, -1); // what follows the last newline is empty or torn
  return complete.filter((line) => line.trim() !== "").map((line, i) => parseRow(line, i + 1, path));
}

function parseRow(line: string, lineNo: number, path: string): MetricsRow {
  const value: unknown = JSON.parse(line);
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`${path}:${lineNo}: not a JSON object`);
  const row: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "number" && v !== null) throw new Error(`${path}:${lineNo}: field ${k} is not a number`);
    row[k] = v;
  }
  const { step, episode } = row;
  if (typeof step !== "number" || typeof episode !== "number") throw new Error(`${path}:${lineNo}: step and episode must be numbers`);
  return { ...row, step, episode };
}
