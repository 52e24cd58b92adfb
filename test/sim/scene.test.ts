import { expect } from "chai";
import { envIds, make } from "../../sim/index.js";

/** Per family: seconds per env step, bodies every scene has, and the body an action moves. */
const FAMILIES = [
  { prefix: "PointMass", dt: 1 / 12, bodies: ["floor", "agent", "wall_east"], mover: "agent" },
  { prefix: "Panda", dt: 1 / 25, bodies: ["floor", "table", "panda_link1", "panda_hand", "panda_leftfinger"], mover: "panda_hand" },
];

describe("scene description and frames, over every registered id", () => {
  for (const id of envIds()) {
    const family = FAMILIES.find((f) => id.startsWith(f.prefix))!;
    it(`${id}: describes its bodies once and sends their poses and goal markers per step`, () => {
      const env = make(id);
      env.reset({ seed: 0 });
      const scene = JSON.parse(JSON.stringify(env.scene()));
      expect(scene.up).to.equal("z");
      expect(scene.dt).to.be.closeTo(family.dt, 1e-12);
      const names = scene.bodies.map((b: { name: string }) => b.name);
      expect(names).to.include.members(family.bodies);
      const moving = scene.bodies.filter((b: { kind: string }) => b.kind !== "fixed");
      const before = env.frame();
      env.step(Array.from({ length: env.actionSpace.size }, () => 1));
      const after = env.frame();
      expect(after.step).to.equal(1);
      expect(after.poses.length).to.equal(7 * moving.length);
      // The agent moved: its pose in the frame follows the observation.
      const agent = moving.findIndex((b: { name: string }) => b.name === family.mover);
      expect(after.poses[7 * agent]).to.not.equal(before.poses[7 * agent]);
      const goal = env.unwrapped.frame().markers["goal_0"]!;
      expect(goal.slice(0, 2)).to.deep.equal(Array.from(env.reset({ seed: 0 }).obs.desired_goal.slice(0, 2)));
      env.close();
    });
  }
});
