import type { MetricsRow } from "../../../agents/run/metrics-log.js";

/** Metrics without wall-clock fields, which differ between any two runs: what resume tests compare. */
export function comparable(rows: MetricsRow[]): Record<string, unknown>[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith("time/"))));
}
