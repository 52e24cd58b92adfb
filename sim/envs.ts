/**
 * The registered envs. Importing this module registers them (sim/index.ts does).
 *
 * ## PointMass family (seed-code-notes §1, rebuilt on Rapier)
 *
 * **Description.** A sphere (radius 0.2, 1 kg) moves on a 5.5 m square arena walled at ±2.8 and
 * pushes 0.7 m cubes of 0.1 kg (friction 0.5) onto goal positions. It is dragged toward a target
 * position by a drive limited to 10 N, so it slows when it pushes and stops when a block jams
 * against a wall. 20 physics steps of 1/240 s per env step (12 Hz).
 *
 * **Action** `Box(-1, 1, (2,))`: the target is the current position plus 0.1·action, clipped to
 * ±2.5. A held (1, 0) moves the mass about 0.0975 per step.
 *
 * **Observation** (Dict, N blocks):
 * | key | layout | size |
 * |---|---|---|
 * | observation | mass x, y, vx, vy, then per block x, y, vx, vy | 4 + 4N |
 * | achieved_goal | per block x, y (the mass x, y when N = 0) | 2·max(N,1) |
 * | desired_goal | per goal x, y | 2·max(N,1) |
 * | controllable_achieved_goal | mass x, y | 2 |
 * | full_positional_state | mass x, y, then per block x, y | 2 + 2N |
 *
 * **Reward.** Sparse: -1 per goal whose block is farther than `distanceThreshold` (0.3), else 0
 * (Push2: -2, -1 or 0). Dense ids: minus the summed distances. `info.is_success`: every goal within
 * the threshold.
 *
 * **Start state.** Goals and the mass start uniform in ±targetLimit (1.3 with blocks, 2.0
 * without), values under 0.1 in magnitude pushed out to ±0.1; blocks uniform in ±2, jittered
 * away from (L1 < 1) their goal and the mass. Maze: mass in [-2, -1.5]², goal fixed at (-0.6, 1.5).
 *
 * **Reset options.** `goal`, `agentStart` [x, y] and `blockStarts` [[x, y], ...] fix what would
 * otherwise be sampled (demo replay, a goal dragged in the viewer).
 *
 * **Episode end.** Truncated after `maxEpisodeSteps` (Reach and Maze 100, Push 200, Push2 250).
 * Never terminated unless `terminateOnSuccess`.
 *
 * **Kwargs.** rewardType, distanceMetric (euclidean | l1), distanceThreshold, terminateOnSuccess,
 * targetLimit, maxEpisodeSteps.
 *
 * **Version history.** v0: the post's pointMassObject world on Rapier 0.21.
 */
import { register } from "./registry.js";
import { PointMassEnv, pointMassKwargs, type PointMassVariant } from "./point-mass-env.js";

const POINT_MASS_VARIANTS: (PointMassVariant & { maxEpisodeSteps: number; summary: string })[] = [
  { id: "PointMassReach", numBlocks: 0, maze: false, maxEpisodeSteps: 100, summary: "move the point mass to the goal" },
  { id: "PointMassPush", numBlocks: 1, maze: false, maxEpisodeSteps: 200, summary: "push one block onto the goal (the post's pointMassObject)" },
  { id: "PointMassPush2", numBlocks: 2, maze: false, maxEpisodeSteps: 250, summary: "push two blocks onto their goals (piecewise reward)" },
  { id: "PointMassMaze", numBlocks: 0, maze: true, maxEpisodeSteps: 100, summary: "reach a fixed goal around two inner walls" },
];

for (const v of POINT_MASS_VARIANTS) {
  const rewardTypes = v.maze ? (["sparse"] as const) : (["sparse", "dense"] as const);
  for (const rewardType of rewardTypes) {
    const id = `${v.id}${rewardType === "dense" ? "Dense" : ""}-v0`;
    const variant: PointMassVariant = { id, numBlocks: v.numBlocks, maze: v.maze };
    register({
      id,
      entryPoint: (kwargs) => new PointMassEnv(variant, kwargs),
      kwargs: pointMassKwargs,
      defaults: { rewardType },
      maxEpisodeSteps: v.maxEpisodeSteps,
      summary: `${v.summary}${rewardType === "dense" ? ", dense reward" : ""}`,
    });
  }
}
