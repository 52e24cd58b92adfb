/**
 * The results folder keeps a copy of the metrics of each run it reports
 * (`runs/<condition>-seed<k>.jsonl`), so that the report can be drawn
 * again, and its curves read, where the run directories are gone: a fresh clone, another machine.
 * The run directories themselves are not committed: their checkpoints hold replay buffers.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../agents/train/atomic-write.js";
import { readMetrics, type MetricsRow } from "../agents/train/metrics-log.js";
import { slug } from "./experiment-config.js";

export function keptMetricsPath(resultsDir: string, label: string, seed: number): string {
  return join(resultsDir, "runs", `${slug(label)}-seed${seed}.jsonl`);
}

/**
 * The rows of a run up to `steps`: those of its directory, or of the kept copy when that reaches
 * further (the directory is gone, or a fresh clone has only started training it again). The copy
 * is brought up to the directory's whole run when that reaches further, and never shortened: a
 * report at a smaller budget loses nothing.
 */
export function runRows(runDir: string, kept: string, steps: number): MetricsRow[] {
  const own = readMetrics(join(runDir, "metrics.jsonl"));
  const copy = readMetrics(kept);
  if (lastStep(own) > lastStep(copy)) keepRunRows(kept, own);
  const upTo = (rows: MetricsRow[]) => rows.filter((r) => r.step <= steps);
  return lastStep(upTo(copy)) > lastStep(upTo(own)) ? upTo(copy) : upTo(own);
}

function lastStep(rows: readonly MetricsRow[]): number {
  return rows.at(-1)?.step ?? -1;
}

function keepRunRows(kept: string, rows: readonly MetricsRow[]): void {
  mkdirSync(dirname(kept), { recursive: true });
  writeFileAtomic(kept, rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
}
