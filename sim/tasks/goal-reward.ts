/**
 * The goal reward of every task, batched. Two families score a goal differently, and both are
 * kept as their sources define them:
 * - `pairs` (the post's pointMass): goals are sequences of 2-D pairs (one per block, or the point
 *   mass), and each pair contributes on its own. Sparse: -1 per pair farther than the threshold, 0
 *   otherwise (so two blocks give -2, -1 or 0: the piecewise reward). Dense: minus the distance per
 *   pair, as gymnasium-robotics and panda-gym define it; the original's progress term
 *   (-1000 × change in distance) depends on the previous step and so cannot be recomputed by HER
 *   from a pair of goals. Success: every pair within the threshold.
 * - `whole` (panda-gym): one distance between the whole achieved and desired goal vectors (for
 *   Stack, both cubes' positions at once). Sparse: -1 when that distance exceeds the threshold,
 *   else 0; dense: minus the distance. Success: the distance is below the threshold, whatever the
 *   reward type.
 */
export type RewardType = "sparse" | "dense";
export type DistanceMetric = "euclidean" | "l1";

export interface GoalRewardConfig {
  rewardType: RewardType;
  distanceMetric: DistanceMetric;
  distanceThreshold: number;
  scoring: "pairs" | "whole";
}

/** What an env's kwargs set; the scoring is the task's. */
export type GoalRewardKwargs = Omit<GoalRewardConfig, "scoring">;

function distance(a: Float64Array, b: Float64Array, from: number, to: number, metric: DistanceMetric): number {
  let s = 0;
  for (let i = from; i < to; i++) {
    const d = a[i]! - b[i]!;
    s += metric === "l1" ? Math.abs(d) : d * d;
  }
  return metric === "l1" ? s : Math.sqrt(s);
}

/** The reward of one distance: -1 or 0 (sparse), or minus the distance (dense). */
function term(d: number, cfg: GoalRewardConfig): number {
  return cfg.rewardType === "sparse" ? (d > cfg.distanceThreshold ? -1 : 0) : -d;
}

export function goalReward(achieved: Float64Array, desired: Float64Array, goalDim: number, cfg: GoalRewardConfig): Float64Array {
  if (achieved.length !== desired.length) {
    throw new RangeError(`computeReward: achieved has ${achieved.length} values but desired has ${desired.length}`);
  }
  const pairs = cfg.scoring === "pairs";
  if (!Number.isInteger(goalDim) || goalDim <= 0 || (pairs && goalDim % 2 !== 0) || achieved.length % goalDim !== 0) {
    throw new RangeError(
      `computeReward: ${achieved.length} values do not split into goals of size ${goalDim}${pairs ? " (2-D pairs)" : ""}`,
    );
  }
  const out = new Float64Array(achieved.length / goalDim);
  for (let row = 0; row < out.length; row++) {
    const from = row * goalDim;
    const to = from + goalDim;
    if (!pairs) {
      out[row] = term(distance(achieved, desired, from, to, cfg.distanceMetric), cfg);
      continue;
    }
    // Summed from 0, as the post's reward is: a zero dense distance scores +0, not -0.
    let r = 0;
    for (let i = from; i < to; i += 2) r += term(distance(achieved, desired, i, i + 2, cfg.distanceMetric), cfg);
    out[row] = r;
  }
  return out;
}

export function goalSuccess(achieved: Float64Array, desired: Float64Array, cfg: GoalRewardConfig): boolean {
  if (cfg.scoring === "whole") return distance(achieved, desired, 0, achieved.length, cfg.distanceMetric) < cfg.distanceThreshold;
  for (let i = 0; i < achieved.length; i += 2) {
    if (distance(achieved, desired, i, i + 2, cfg.distanceMetric) > cfg.distanceThreshold) return false;
  }
  return true;
}
