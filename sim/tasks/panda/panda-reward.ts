/**
 * The Panda reward, batched, as panda-gym defines it: one distance between the whole achieved
 * and desired goal vectors (for Stack, both cubes' positions at once). Sparse: -1 when that
 * distance exceeds the threshold, else 0; dense: minus the distance. Success: the distance is
 * below the threshold, whatever the reward type.
 */
import type { DistanceMetric, RewardType } from "../pointmass/goal-reward.js";

export interface PandaRewardConfig {
  rewardType: RewardType;
  distanceMetric: DistanceMetric;
  distanceThreshold: number;
}

function distance(a: Float64Array, b: Float64Array, from: number, to: number, metric: DistanceMetric): number {
  let s = 0;
  for (let i = from; i < to; i++) {
    const d = a[i]! - b[i]!;
    s += metric === "l1" ? Math.abs(d) : d * d;
  }
  return metric === "l1" ? s : Math.sqrt(s);
}

export function pandaReward(achieved: Float64Array, desired: Float64Array, goalDim: number, cfg: PandaRewardConfig): Float64Array {
  if (achieved.length !== desired.length) {
    throw new RangeError(`computeReward: achieved has ${achieved.length} values but desired has ${desired.length}`);
  }
  if (!Number.isInteger(goalDim) || goalDim <= 0 || achieved.length % goalDim !== 0) {
    throw new RangeError(`computeReward: ${achieved.length} values do not split into goals of size ${goalDim}`);
  }
  const out = new Float64Array(achieved.length / goalDim);
  for (let row = 0; row < out.length; row++) {
    const d = distance(achieved, desired, row * goalDim, (row + 1) * goalDim, cfg.distanceMetric);
    out[row] = cfg.rewardType === "sparse" ? (d > cfg.distanceThreshold ? -1 : 0) : -d;
  }
  return out;
}

export function pandaSuccess(achieved: Float64Array, desired: Float64Array, cfg: PandaRewardConfig): boolean {
  return distance(achieved, desired, 0, achieved.length, cfg.distanceMetric) < cfg.distanceThreshold;
}
