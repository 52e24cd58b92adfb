/**
 * How a hierarchy's subgoal is drawn: as translucent ghosts of what the subgoal positions, shaped
 * from the scene's own bodies. On PointMass (a body named "agent", planar positions) the
 * controllable subgoal is a ghost of the point mass, a full-state subgoal adds a ghost of each
 * block, and an achieved-goal subgoal is the blocks alone. Anywhere else (the arm) positions are
 * 3-D and the controllable part is the gripper: its ghost is a gripper-sized box, and any further
 * object positions are small cubes.
 */
import type { Frame, SceneBody, SceneDescription, SceneMarker, Shape } from "../sim/physics/scene.js";

export type SubgoalSpace = "controllable_achieved_goal" | "achieved_goal" | "full_positional_state";

const GHOST_COLOR = "#9b5de5";
const GHOST_OPACITY = 0.35;
const GRIPPER_GHOST: Shape = { kind: "box", halfExtents: [0.02, 0.05, 0.03] };
const OBJECT_GHOST: Shape = { kind: "box", halfExtents: [0.02, 0.02, 0.02] };

export interface SubgoalGhosts {
  /** One marker per positioned thing, named subgoal_0, subgoal_1, ... */
  markers: SceneMarker[];
  positions(subgoal: ArrayLike<number>): Frame["markers"];
}

export function subgoalGhosts(scene: SceneDescription, space: SubgoalSpace, subgoalDim: number): SubgoalGhosts {
  const agent = scene.bodies.find((b) => b.name === "agent");
  const blocks = scene.bodies.filter((b) => /^block_\d+$/.test(b.name));
  // Each ghost: the body it looks like (for its shape and resting height), or null for a 3-D position.
  let looks: (SceneBody | null)[];
  let stride: number;
  if (agent) {
    stride = 2;
    const things =
      space === "controllable_achieved_goal"
        ? [agent]
        : space === "achieved_goal"
          ? blocks.length > 0
            ? blocks
            : [agent]
          : [agent, ...blocks];
    looks = things.slice(0, Math.floor(subgoalDim / 2));
  } else {
    stride = 3;
    looks = Array.from({ length: Math.floor(subgoalDim / 3) }, () => null);
  }
  const markers = looks.map((body, i) => ({
    name: `subgoal_${i}`,
    shape: body?.shape ?? (i === 0 && space !== "achieved_goal" ? GRIPPER_GHOST : OBJECT_GHOST),
    color: GHOST_COLOR,
    opacity: GHOST_OPACITY,
  }));
  return {
    markers,
    positions(subgoal) {
      const out: Frame["markers"] = {};
      looks.forEach((body, i) => {
        const o = i * stride;
        out[`subgoal_${i}`] = [subgoal[o]!, subgoal[o + 1]!, body ? body.position[2] : subgoal[o + 2]!];
      });
      return out;
    },
  };
}
