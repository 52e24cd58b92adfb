/**
 * The smoothing of the post's plots (docs/original-code.md §3.10): a trailing moving average over the
 * last 100 training episodes, taking what there is at the start (pandas `rolling(w,
 * min_periods=1)`) so that a curve starts at its first episode.
 *
 * The window is measured along a key, not in rows: with `key` = episode index it covers the last
 * `window` episodes whether a run logged every episode or one aggregated row every few.
 */
export function trailingMovingAverage(values: ArrayLike<number>, window: number, key?: ArrayLike<number>): Float64Array {
  if (!(window > 0)) throw new RangeError(`window must be positive, got ${window}`);
  if (key && key.length !== values.length) throw new RangeError(`key has length ${key.length}, values ${values.length}`);
  const k = (i: number): number => (key ? key[i]! : i);
  const out = new Float64Array(values.length);
  let sum = 0;
  let first = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    while (k(first) <= k(i) - window) sum -= values[first++]!;
    out[i] = sum / (i - first + 1);
  }
  return out;
}
