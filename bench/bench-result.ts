/** What every benchmark suite returns: figures per measured case, printed as a table then JSON. */
export interface BenchResult {
  suite: string;
  results: Record<string, string | number>[];
}

/** The readable table, then, as the last line, the JSON object tools read (docs/architecture.md §2.5). */
export function printBench(result: BenchResult): void {
  const rows = result.results;
  if (rows.length > 0) {
    const cols = Object.keys(rows[0]!);
    const cell = (v: string | number | undefined) =>
      typeof v !== "number" ? String(v ?? "") : Number.isInteger(v) || Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3);
    const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
    const line = (vals: string[]) => vals.map((v, i) => v.padStart(widths[i]!)).join("  ");
    console.log(line(cols));
    for (const r of rows) console.log(line(cols.map((c) => cell(r[c]))));
  }
  console.log(JSON.stringify(result));
}
