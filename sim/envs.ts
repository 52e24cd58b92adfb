/**
 * The registered envs. Importing this module registers them (sim/index.ts does). A new env is a
 * task (sim/tasks/, implementing sim/core/task.ts) and one entry in its family's table below.
 *
 * ## PointMass family (docs/original-code.md §1, rebuilt on Rapier)
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
import { pointMassEnv, pointMassKwargs, type PointMassTaskContext, type PointMassVariant } from "./point-mass-env.js";
import { pandaEnv, pandaKwargs, type PandaVariant } from "./panda-env.js";
import { PushTask, type PushTaskConfig } from "./tasks/pointmass/push-task.js";
import { ReachTask } from "./tasks/panda/reach-task.js";
import { ObjectTask, PICK_AND_PLACE, PUSH, SLIDE } from "./tasks/panda/object-task.js";
import { StackTask } from "./tasks/panda/stack-task.js";
import { SLIDE_TABLE, TABLE } from "./scenes/table.js";

function pushTask(numBlocks: PushTaskConfig["numBlocks"], maze: boolean): PointMassVariant["makeTask"] {
  return (c: PointMassTaskContext) => new PushTask(c.world, { numBlocks, maze, targetLimit: c.targetLimit }, c.reward, c.placeAgent);
}

/** One entry per task; each gets a Dense id too, except the maze. */
const POINT_MASS_VARIANTS: (Omit<PointMassVariant, "id"> & { name: string; maxEpisodeSteps: number; summary: string })[] = [
  { name: "PointMassReach", maze: false, makeTask: pushTask(0, false), maxEpisodeSteps: 100, summary: "move the point mass to the goal" },
  {
    name: "PointMassPush",
    maze: false,
    makeTask: pushTask(1, false),
    maxEpisodeSteps: 200,
    summary: "push one block onto the goal (the post's pointMassObject)",
  },
  {
    name: "PointMassPush2",
    maze: false,
    makeTask: pushTask(2, false),
    maxEpisodeSteps: 250,
    summary: "push two blocks onto their goals (piecewise reward)",
  },
  {
    name: "PointMassMaze",
    maze: true,
    makeTask: pushTask(0, true),
    maxEpisodeSteps: 100,
    summary: "reach a fixed goal around two inner walls",
  },
];

for (const v of POINT_MASS_VARIANTS) {
  const rewardTypes = v.maze ? (["sparse"] as const) : (["sparse", "dense"] as const);
  for (const rewardType of rewardTypes) {
    const id = `${v.name}${rewardType === "dense" ? "Dense" : ""}-v0`;
    const variant: PointMassVariant = { id, maze: v.maze, makeTask: v.makeTask };
    register({
      id,
      entryPoint: (kwargs) => pointMassEnv(variant, kwargs),
      kwargs: pointMassKwargs,
      defaults: { rewardType },
      maxEpisodeSteps: v.maxEpisodeSteps,
      summary: `${v.summary}${rewardType === "dense" ? ", dense reward" : ""}`,
    });
  }
}

/**
 * ## Panda family (panda-gym's tasks on a Franka-Panda-style arm, kinematics/panda.ts)
 *
 * **Description.** A 7-joint arm with a two-finger hand stands at (-0.6, 0, 0) on a table whose
 * top is z = 0 (1.1 × 0.7 m, centred at x = -0.3; Slide's is 1.4 m long, centred at x = -0.1),
 * with a floor at z = -0.4. Revolute impulse joints with position motors capped at Franka's
 * torques; the arm is gravity-compensated, as Franka's controller is. Tasks:
 * - Reach: move the tool centre point (between the fingertips) to the goal.
 * - Push: push a 4 cm cube (1 kg, friction 1, as panda-gym) to a goal on the table; fingers closed.
 * - Slide: strike a puck (radius 3 cm, 1 kg, friction 0.04) to a goal 0.25–0.55 m beyond the
 *   table centre, out of reach; fingers closed. The puck's friction multiplies the table's (0.02
 *   together, as Bullet combines them in panda-gym); every other pair averages, Rapier's default.
 * - PickAndPlace: put the cube on a goal up to 0.2 m above the table (on it 3 times in 10).
 * - Stack: put one cube on a goal on the table and the other on top of it.
 * 10 physics steps of 1/250 s per env step (25 Hz).
 *
 * **Action** `Box(-1, 1, (n,))`. `controlType: "ee"` (ids without Joints): n = 3 (+1): the tool
 * target moves by 0.05·a[0:3] m from where the tool is, kept at z ≥ 0.01 so that the fingertips
 * skim the table, reached through DLS IK with the tool pointing down. `controlType: "joints"`
 * (Joints ids): n = 7 (+1): each joint target moves by 0.05·a[i] rad. The gripper entry (PickAndPlace, Stack) changes the finger
 * opening by 0.2·a[-1] m; Reach, Push and Slide have none and keep the fingers closed. Slide's
 * arm ramps its joint targets over the step's substeps (`smoothControl`), so that the tool, and a
 * puck it strikes, moves at the commanded speed; the others set them at once, as the zoo's runs
 * were trained, and the tool covers each step's move in its first ~10 ms.
 *
 * **Observation** (Dict; k objects: 0 for Reach, 1, 2 for Stack):
 * | key | layout | size |
 * |---|---|---|
 * | observation | tool x, y, z, vx, vy, vz [, finger opening], then per object x, y, z, roll, pitch, yaw, vx, vy, vz, wx, wy, wz | 6 or 7, + 12k |
 * | achieved_goal | tool position (Reach) or each object's position | 3·max(k,1) |
 * | desired_goal | the goal positions | 3·max(k,1) |
 * | controllable_achieved_goal | tool x, y, z, finger opening | 4 |
 * | full_positional_state | tool x, y, z, finger opening, then each object's position | 4 + 3k |
 *
 * **Reward.** One distance d between the whole achieved and desired goal vectors (Stack: six
 * numbers). Sparse: -1 if d > `distanceThreshold` (0.05; Stack 0.1, as panda-gym) else 0; Dense
 * ids: -d. `info.is_success`: d < threshold.
 *
 * **Start state.** The arm at panda-gym's neutral pose (0, 0.41, 0, -1.85, 0, 2.26, 0.79).
 * Reach goals uniform in [-0.15, 0.15]² × [0, 0.3]. Objects uniform in ±0.15 (x, y) on the
 * table. Push goals on the table in ±0.15; Slide goals at x ∈ 0.4 ± 0.15; PickAndPlace goals up
 * to 0.2 above the table; Stack goals on the table, the second cube's 4 cm above the first's;
 * Stack starts at least 0.1 apart.
 *
 * **Reset options.** `goal` (3 or 6 numbers) and `objectStarts` [[x, y, z], ...] fix what would
 * otherwise be sampled.
 *
 * **Episode end.** Truncated after `maxEpisodeSteps` (50; Stack 100). Never terminated unless
 * `terminateOnSuccess`.
 *
 * **Kwargs.** rewardType, distanceMetric (euclidean | l1), distanceThreshold,
 * terminateOnSuccess, controlType (ee | joints), smoothControl, maxEpisodeSteps.
 *
 * **Version history.** v0: panda-gym v3's tasks on Rapier 0.21. Slide's puck slid with the average
 * of its friction and the table's (0.27) until 2026-12-06, 13× panda-gym's, and stopped where the
 * tool left it; no result had been published on it, so the id stayed v0. Nor had one on 2026-12-06
 * when Slide's arm began to ramp its targets (before, a struck puck left at 0.45–2.0× the tool's
 * commanded speed, whatever the strategy).
 */
const PANDA_VARIANTS: (Omit<PandaVariant, "id"> & { name: string; maxEpisodeSteps: number; summary: string })[] = [
  {
    name: "PandaReach",
    table: TABLE,
    makeTask: (w, r) => new ReachTask(w, r),
    blockGripper: true,
    smoothControl: false,
    defaultThreshold: 0.05,
    maxEpisodeSteps: 50,
    summary: "move the Panda's tool to the goal",
  },
  {
    name: "PandaPush",
    table: TABLE,
    makeTask: (w, r) => new ObjectTask(w, PUSH, r),
    blockGripper: true,
    smoothControl: false,
    defaultThreshold: 0.05,
    maxEpisodeSteps: 50,
    summary: "push the cube to the goal, fingers closed",
  },
  {
    name: "PandaSlide",
    table: SLIDE_TABLE,
    makeTask: (w, r) => new ObjectTask(w, SLIDE, r),
    blockGripper: true,
    smoothControl: true,
    defaultThreshold: 0.05,
    maxEpisodeSteps: 50,
    summary: "strike the puck to a goal out of reach",
  },
  {
    name: "PandaPickAndPlace",
    table: TABLE,
    makeTask: (w, r) => new ObjectTask(w, PICK_AND_PLACE, r),
    blockGripper: false,
    smoothControl: false,
    defaultThreshold: 0.05,
    maxEpisodeSteps: 50,
    summary: "pick the cube and place it on the goal, often in the air",
  },
  {
    name: "PandaStack",
    table: TABLE,
    makeTask: (w, r) => new StackTask(w, r),
    blockGripper: false,
    smoothControl: false,
    defaultThreshold: 0.1,
    maxEpisodeSteps: 100,
    summary: "stack two cubes on the goal",
  },
];

for (const v of PANDA_VARIANTS) {
  for (const controlType of ["ee", "joints"] as const) {
    for (const rewardType of ["sparse", "dense"] as const) {
      const id = `${v.name}${controlType === "joints" ? "Joints" : ""}${rewardType === "dense" ? "Dense" : ""}-v0`;
      const { name: _name, maxEpisodeSteps, summary, ...family } = v;
      const variant: PandaVariant = { id, ...family };
      register({
        id,
        entryPoint: (kwargs) => pandaEnv(variant, kwargs),
        kwargs: pandaKwargs,
        defaults: { rewardType, controlType },
        maxEpisodeSteps,
        summary: `${summary}${controlType === "joints" ? ", joint control" : ""}${rewardType === "dense" ? ", dense reward" : ""}`,
      });
    }
  }
}
