/**
 * Several runs of one condition (seeds) as one curve: mean and a 95% band, as the post drew its
 * curves with seaborn's `lineplot`. Runs log at different steps, so each is interpolated linearly
 * onto a common grid, and a grid point uses only the runs whose logged range covers it (a run
 * that stopped early does not drag the mean towards its last value).
 *
 * The band is mean ± 1.96 standard errors, kept within the runs' own range: the normal
 * approximation of seaborn's bootstrapped 95% interval, which needs no resampling (and so no
 * randomness). A bootstrap mean never leaves the samples' range, and with few seeds the normal
 * approximation would (two seeds: ±0.98 × their gap; a return band below the lowest return). With
 * one run it is empty.
 */
export interface Curve {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

export interface AggregateCurve {
  x: Float64Array;
  mean: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  /** Runs that cover each grid point. */
  count: Int32Array;
}

/** Aggregates runs (each with increasing x) on `points` evenly spaced grid points. */
export function aggregateRuns(runs: readonly Curve[], points = 200): AggregateCurve {
  const nonEmpty = runs.filter((r) => r.x.length > 0);
  if (nonEmpty.length === 0) throw new RangeError("aggregateRuns needs at least one non-empty run");
  if (!Number.isInteger(points) || points < 2) throw new RangeError(`points must be an integer >= 2, got ${points}`);
  const xMin = Math.min(...nonEmpty.map((r) => r.x[0]!));
  const xMax = Math.max(...nonEmpty.map((r) => r.x[r.x.length - 1]!));
  const out: AggregateCurve = {
    x: new Float64Array(points),
    mean: new Float64Array(points),
    lower: new Float64Array(points),
    upper: new Float64Array(points),
    count: new Int32Array(points),
  };
  const cursor = new Array<number>(nonEmpty.length).fill(0);
  const samples: number[] = [];
  for (let p = 0; p < points; p++) {
    const x = xMin + ((xMax - xMin) * p) / (points - 1);
    samples.length = 0;
    nonEmpty.forEach((run, r) => {
      const n = run.x.length;
      if (x < run.x[0]! || x > run.x[n - 1]!) return;
      let i = cursor[r]!;
      while (i < n - 2 && run.x[i + 1]! < x) i++;
      cursor[r] = i;
      samples.push(n === 1 ? run.y[0]! : interpolate(run.x[i]!, run.y[i]!, run.x[i + 1]!, run.y[i + 1]!, x));
    });
    const n = samples.length;
    const mean = n > 0 ? samples.reduce((a, b) => a + b, 0) / n : NaN;
    const variance = n > 1 ? samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
    const half = 1.96 * Math.sqrt(variance / Math.max(n, 1));
    out.x[p] = x;
    out.mean[p] = mean;
    out.lower[p] = Math.max(mean - half, Math.min(...samples));
    out.upper[p] = Math.min(mean + half, Math.max(...samples));
    out.count[p] = n;
  }
  return out;
}

function interpolate(x0: number, y0: number, x1: number, y1: number, x: number): number {
  if (x1 === x0) return y1;
  const t = Math.min(1, Math.max(0, (x - x0) / (x1 - x0)));
  return y0 + t * (y1 - y0);
}
