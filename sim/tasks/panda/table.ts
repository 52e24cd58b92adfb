/**
 * The Panda worlds' furniture, in panda-gym's layout: a table 0.4 m high whose top is z = 0,
 * and a floor at its foot (z = -0.4) so that an object pushed off the table comes to rest.
 */
import type { PhysicsWorld } from "../../physics/world.js";
import { interactionGroups } from "../../physics/world.js";
import { PANDA_GROUP } from "../../panda-collision-groups.js";

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
