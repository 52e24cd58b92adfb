/**
 * The Panda worlds' furniture, in panda-gym's layout: a table 0.4 m high whose top is z = 0,
 * and a floor at its foot (z = -0.4) so that an object pushed off the table comes to rest.
 */
import { Box } from "../core/spaces.js";
import type { PhysicsWorld } from "../physics/world.js";
import { interactionGroups } from "../physics/world.js";

/**
 * Collision groups of the Panda worlds: the arm ignores itself and the table it stands on. Here,
 * with the furniture, so that the robot and the tasks share the convention without a task
 * importing the robot (panda-gym's Robot/Task split).
 */
export const PANDA_GROUP = { table: 1, arm: 2, finger: 4, object: 8 } as const;

/** Positions in the observation keys stay in this box (the floor is 4 m square at z = -0.4). */
export const POSITION_LOW = [-2, -2, -0.5];
export const POSITION_HIGH = [2, 2, 1.5];

/** The box of `n` positions, one after another. */
export function positionsBox(n: number): Box {
  return new Box(repeat(POSITION_LOW, n), repeat(POSITION_HIGH, n));
}

function repeat(xs: number[], n: number): number[] {
  return Array.from({ length: n }, () => xs).flat();
}

export interface TableLayout {
  /** Along x, m. @defaultValue 1.1 (1.4 for Slide) */
  length: number;
  /** Along y, m. */
  width: number;
  height: number;
  /** x of the table's centre. */
  xOffset: number;
}

export const TABLE: TableLayout = { length: 1.1, width: 0.7, height: 0.4, xOffset: -0.3 };
/** Slide's longer table reaches the far goals. */
export const SLIDE_TABLE: TableLayout = { length: 1.4, width: 0.7, height: 0.4, xOffset: -0.1 };

export function buildTable(world: PhysicsWorld, layout: TableLayout): void {
  const everything = PANDA_GROUP.object | PANDA_GROUP.finger;
  world.addBody("floor", {
    kind: "fixed",
    shape: { kind: "box", halfExtents: [2, 2, 0.05] },
    position: [0, 0, -layout.height - 0.05],
    friction: 0.5,
    color: "#cfcfcf",
    collisionGroups: interactionGroups(PANDA_GROUP.table, everything),
  });
  world.addBody("table", {
    kind: "fixed",
    shape: { kind: "box", halfExtents: [layout.length / 2, layout.width / 2, layout.height / 2] },
    position: [layout.xOffset, 0, -layout.height / 2],
    friction: 0.5,
    color: "#a68a64",
    collisionGroups: interactionGroups(PANDA_GROUP.table, everything),
  });
}
