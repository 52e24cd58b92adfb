/**
 * The pointMass reward, batched: goals are sequences of 2-D pairs (one per block, or the point
 * mass), and each pair contributes on its own. Sparse: -1 per pair farther than the threshold, 0
 * otherwise (so two blocks give -2, -1 or 0: the piecewise reward). Dense: minus the distance per
 * pair, as gymnasium-robotics and panda-gym define it; the original's progress term
 * (-1000 × change in distance) depends on the previous step and so cannot be recomputed by HER
 * from a pair of goals.
 */
export type RewardType = "sparse" | "dense";
export type DistanceMetric = "euclidean" | "l1";

export interface GoalRewardConfig {
  rewardType: RewardType;
  distanceMetric: DistanceMetric;
  distanceThreshold: number;
}

export function pairDistance(a: Float64Array, b: Float64Array, i: number, metric: DistanceMetric): number {
  const dx = a[i]! - b[i]!;
  const dy = a[i + 1]! - b[i + 1]!;
  return metric === "l1" ? Math.abs(dx) + Math.abs(dy) : Math.sqrt(dx * dx + dy * dy);
}

export function goalReward(achieved: Float64Array, desired: Float64Array, goalDim: number, cfg: GoalRewardConfig): Float64Array {
  if (achieved.length !== desired.length) {
    throw new RangeError(`computeReward: achieved has ${achieved.length} values but desired has ${desired.length}`);
  }
  if (goalDim <= 0 || goalDim % 2 !== 0 || achieved.length % goalDim !== 0) {
    throw new RangeError(`computeReward: ${achieved.length} values do not split into goals of size ${goalDim} (2-D pairs)`);
  }
  const n = achieved.length / goalDim;
  const out = new Float64Array(n);
  for (let row = 0; row < n; row++) {
    let r = 0;
    for (let i = row * goalDim; i < (row + 1) * goalDim; i += 2) {
      const d = pairDistance(achieved, desired, i, cfg.distanceMetric);
      r += cfg.rewardType === "sparse" ? (d > cfg.distanceThreshold ? -1 : 0) : -d;
    }
    out[row] = r;
  }
  return out;
}

/** Success: every pair within the threshold, whatever the reward type. */
export function goalSuccess(achieved: Float64Array, desired: Float64Array, cfg: GoalRewardConfig): boolean {
  for (let i = 0; i < achieved.length; i += 2) {
    if (pairDistance(achieved, desired, i, cfg.distanceMetric) > cfg.distanceThreshold) return false;
  }
  return true;
}
