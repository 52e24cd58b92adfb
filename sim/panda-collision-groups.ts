/**
 * Collision groups of the Panda worlds: the arm ignores itself and the table it stands on. In a
 * file of its own so that the robot and the tasks share the convention without a task importing
 * the robot (panda-gym's Robot/Task split).
 */
export const PANDA_GROUP = { table: 1, arm: 2, finger: 4, object: 8 } as const;
