/**
 * The results folder keeps a copy of the metrics of each run it reports
 * (`runs/<condition>-seed<k>.jsonl`), so that the report can be drawn
 * again, and its curves read, where the run directories are gone: a fresh clone, another machine.
 * The run directories themselves are not committed: their checkpoints hold replay buffers.
 *
 * Beside each copy is the condition's config it was trained under (`.config.json`): a condition
 * whose config has changed since is never reported, nor skipped (`--skip-reported`), on the old copy.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { writeFileAtomic } from "../agents/run/atomic-write.js";
import { readMetrics, type MetricsRow } from "../agents/run/metrics-log.js";
import { slug } from "../experiments/experiment-config.js";

/** Where a results folder keeps one run: its metrics, and the config they were trained under. */
export interface KeptRun {
  metrics: string;
  config: string;
}

export function keptRun(resultsDir: string, label: string, seed: number): KeptRun {
  const base = join(resultsDir, "runs", `${slug(label)}-seed${seed}`);
  return { metrics: `${base}.jsonl`, config: `${base}.config.json` };
}

/** Whether the copy was kept under `config`: not under another, nor under none. */
export function keptUnder(kept: KeptRun, config: Record<string, unknown>): boolean {
  return existsSync(kept.config) && isDeepStrictEqual(JSON.parse(readFileSync(kept.config, "utf8")), config);
}

/**
 * The rows of a run up to `steps`: those of its directory, or of the kept copy when that reaches
 * further (the directory is gone, or a fresh clone has only started training it again). The copy
 * is brought up to the directory's whole run when that reaches further, and never shortened (a
 * report at a smaller budget loses nothing) unless it was kept under another config.
 */
export function runRows(runDir: string, kept: KeptRun, config: Record<string, unknown>, steps: number): MetricsRow[] {
  const own = readMetrics(join(runDir, "metrics.jsonl"));
  const copy = keptUnder(kept, config) ? readMetrics(kept.metrics) : [];
  if (own.length > 0 && (copy.length === 0 || lastStep(own) > lastStep(copy))) keepRunRows(kept, config, own);
  const ownUpTo = own.filter((r) => r.step <= steps);
  const copyUpTo = copy.filter((r) => r.step <= steps);
  return lastStep(copyUpTo) > lastStep(ownUpTo) ? copyUpTo : ownUpTo;
}

function lastStep(rows: readonly MetricsRow[]): number {
  return rows.at(-1)?.step ?? -1;
}

/** The config goes last, after its metrics, so that a crash between the two leaves the copy unclaimed rather than mislabelled. */
function keepRunRows(kept: KeptRun, config: Record<string, unknown>, rows: readonly MetricsRow[]): void {
  mkdirSync(dirname(kept.metrics), { recursive: true });
  rmSync(kept.config, { force: true });
  writeFileAtomic(kept.metrics, rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
  writeFileAtomic(kept.config, `${JSON.stringify(config, null, 2)}\n`);
}
