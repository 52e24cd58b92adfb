/**
 * The pointMass world (docs/original-code.md §1.2): a floor whose top is at z = -0.1 and four walls
 * whose inner faces are at ±2.75, plus, for the maze, two inner walls.
 */
import type { PhysicsWorld } from "../physics/world.js";
import { interactionGroups } from "../physics/world.js";

/**
 * Collision groups, shared by the point mass and the blocks: the sphere is carried by its drive,
 * so it never touches the floor.
 */
export const GROUP = { floor: 1, agent: 2, block: 4, wall: 8 } as const;

export const ARENA = {
  /** Wall centre lines, ±(2·TARG_LIMIT + 0.2) with TARG_LIMIT 1.3. */
  wallOffset: 2.8,
  wallHalfExtents: [0.05, 2.5, 0.5] as [number, number, number],
  floorTop: -0.1,
} as const;

/** Inner faces of the walls: no body centre can leave this square. */
export const ARENA_BOUND = 2.75;

/** Inner walls of the maze variant (`pointMassEnvMaze`), as half-extents and centres. */
export const MAZE_WALLS: { halfExtents: [number, number, number]; center: [number, number] }[] = [
  // The original rotates both boxes 90° about z, which swaps their x and y half-extents.
  { halfExtents: [1.2, 0.7, 0.5], center: [-0.8, 0] },
  { halfExtents: [0.6, 1.5, 0.5], center: [-1.4, 1.1] },
];

export function buildArena(world: PhysicsWorld, maze: boolean): void {
  world.addBody("floor", {
    kind: "fixed",
    shape: { kind: "box", halfExtents: [5, 5, 0.1] },
    position: [0, 0, ARENA.floorTop - 0.1],
    friction: 0.5,
    color: "#d9d9d9",
    collisionGroups: interactionGroups(GROUP.floor, GROUP.block),
  });
  const [hx, hy, hz] = ARENA.wallHalfExtents;
  const d = ARENA.wallOffset;
  const walls: [string, [number, number, number], [number, number]][] = [
    ["wall_east", [hx, hy, hz], [d, 0]],
    ["wall_west", [hx, hy, hz], [-d, 0]],
    ["wall_north", [hy, hx, hz], [0, d]],
    ["wall_south", [hy, hx, hz], [0, -d]],
  ];
  if (maze) MAZE_WALLS.forEach((w, i) => walls.push([`maze_wall_${i}`, w.halfExtents, w.center]));
  for (const [name, halfExtents, [x, y]] of walls) {
    world.addBody(name, {
      kind: "fixed",
      shape: { kind: "box", halfExtents },
      position: [x, y, ARENA.floorTop + halfExtents[2]],
      friction: 0.5,
      color: "#6c757d",
      collisionGroups: interactionGroups(GROUP.wall, GROUP.agent | GROUP.block),
    });
  }
}
