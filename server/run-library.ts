/**
 * The run directories a server shows learning curves from (`serve --runs DIR`, and the run of
 * `train --serve`). A directory given is a run (it has metrics.jsonl) or a folder of runs, looked
 * at again on every list, so runs started later appear. Only listed runs can be read: a client
 * names a run, never a path.
 *
 * metrics.jsonl is read here rather than through agents/run (the server does not depend on the
 * learning code); the format is docs/architecture.md §2.3's: one JSON object per line, appended as training goes,
 * whose last line a kill may have torn.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { CurvePoint, RunInfo } from "../protocol/messages.js";
import { ProtocolError } from "../protocol/protocol-error.js";

/** The fields a learning curve draws; the rest of a row (losses, timings) is not sent. */
export const CURVE_FIELDS = ["step", "train/return", "train/success", "eval/return", "eval/success", "eval/subgoal_reached"] as const;

export class RunLibrary {
  constructor(private readonly roots: readonly string[]) {}

  list(): RunInfo[] {
    const runs: RunInfo[] = [];
    for (const root of this.roots) {
      if (!isDirectory(root)) continue;
      if (isRun(root)) runs.push(describe(root));
      else for (const entry of readdirSync(root).sort()) if (isRun(join(root, entry))) runs.push(describe(join(root, entry)));
    }
    return runs;
  }

  /** Rows `from` onwards of a listed run, cut to CURVE_FIELDS; `next` is the row count read. */
  metrics(run: string, from: number): { rows: CurvePoint[]; next: number } {
    const known = this.list().map((r) => r.run);
    if (!known.includes(run))
      throw new ProtocolError("NOT_FOUND", `no run "${run.slice(0, 200)}" on this server (runs: ${known.join(", ") || "none"})`);
    const lines = readFileSync(join(run, "metrics.jsonl"), "utf8").split("\n").slice(0, -1);
    const rows: CurvePoint[] = [];
    for (const line of lines.slice(from)) {
      if (line.trim() === "") continue;
      const value: unknown = JSON.parse(line);
      if (typeof value !== "object" || value === null) continue;
      const point: CurvePoint = {};
      for (const field of CURVE_FIELDS) {
        const v = (value as Record<string, unknown>)[field];
        if (typeof v === "number") point[field] = v;
      }
      if (point["step"] !== undefined) rows.push(point);
    }
    return { rows, next: Math.max(from, lines.length) };
  }
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function isRun(dir: string): boolean {
  return existsSync(join(dir, "metrics.jsonl"));
}

function describe(run: string): RunInfo {
  let config: Record<string, unknown> = {};
  try {
    config = JSON.parse(readFileSync(join(run, "config.json"), "utf8")) as Record<string, unknown>;
  } catch {
    // A run without a readable config.json still has curves; it just has no env or algo to show.
  }
  return {
    run,
    env: typeof config["env"] === "string" ? config["env"] : null,
    algo: typeof config["algo"] === "string" ? config["algo"] : null,
  };
}
