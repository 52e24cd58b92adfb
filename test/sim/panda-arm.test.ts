import { expect } from "chai";
import { Rng, make } from "../../sim/index.js";
import type { RobotTaskEnv } from "../../sim/core/robot-task-env.js";
import type { PandaArm } from "../../sim/robots/panda-arm.js";
import { PANDA_LIMITS, PANDA_NEUTRAL } from "../../kinematics/panda.js";

function bare(id: string): { env: ReturnType<typeof make>; panda: RobotTaskEnv<PandaArm> } {
  const env = make(id);
  return { env, panda: env.unwrapped as RobotTaskEnv<PandaArm> };
}

describe("the Panda in Rapier", () => {
  it("reads the neutral pose back from the bodies, and FK of what it reads puts the tool where the hand body is", () => {
    const { env, panda } = bare("PandaReach-v0");
    const { obs } = env.reset({ seed: 0 });
    const q = panda.robot.jointPositions();
    q.forEach((v, i) => expect(v).to.be.closeTo(PANDA_NEUTRAL[i]!, 1e-5));
    const fk = panda.robot.chain.fk(q);
    // The base stands at (-0.6, 0, 0).
    expect(fk[9]! - 0.6).to.be.closeTo(obs.observation[0]!, 1e-4);
    expect(fk[10]).to.be.closeTo(obs.observation[1]!, 1e-4);
    expect(fk[11]).to.be.closeTo(obs.observation[2]!, 1e-4);
    env.close();
  });

  it("drives each joint to its motor target: Rapier's hidden angle is the angle read from the bodies", () => {
    const { env, panda } = bare("PandaReachJoints-v0");
    env.reset({ seed: 0 });
    const rng = new Rng(3);
    // Targets well inside the limits and well away from the neutral pose.
    const targets = PANDA_NEUTRAL.map((v, i) =>
      Math.max(PANDA_LIMITS.lower[i]! + 0.1, Math.min(PANDA_LIMITS.upper[i]! - 0.1, v + rng.uniform(-0.6, 0.6))),
    );
    targets.forEach((v, i) => panda.world.setMotorTarget(`panda_joint${i + 1}`, v));
    for (let t = 0; t < 50; t++) panda.world.step(10);
    // A misaligned joint frame would be off by a quarter turn (the DH α); the motors' small
    // steady-state error (a PD motor, and the chain's soft joints) is a few milliradians.
    panda.robot.jointPositions().forEach((v, i) => expect(v, `joint ${i + 1}`).to.be.closeTo(targets[i]!, 5e-3));
    env.close();
  });

  it("never lets an arm joint leave its limits in 10k random-action steps, nor a finger its travel by 2 mm", () => {
    const { env, panda } = bare("PandaPickAndPlaceJoints-v0");
    const rng = new Rng(7);
    env.reset({ seed: 0 });
    let worst = 0;
    let worstFinger = 0;
    for (let t = 0; t < 10_000; t++) {
      // Biased actions, held for a while, drive joints into their limits, not just around.
      const a = env.actionSpace.sample(rng).map((v) => Math.sign(v));
      const r = env.step(a);
      panda.robot.jointPositions().forEach((v, i) => {
        worst = Math.max(worst, PANDA_LIMITS.lower[i]! - v, v - PANDA_LIMITS.upper[i]!);
      });
      // Rapier's stops are soft: a finger driven onto one overshoots it by a millimetre or two.
      const width = panda.robot.fingerWidth();
      worstFinger = Math.max(worstFinger, -width, width - 0.08);
      if (r.truncated) env.reset();
    }
    expect(worst, "largest excursion past an arm joint limit (rad)").to.be.at.most(0);
    expect(worstFinger, "largest excursion of the opening past 0..0.08 m").to.be.below(0.002);
    env.close();
  });

  it("moves the tool along the commanded direction under ee control, and down to the table top", () => {
    const { env } = bare("PandaReach-v0");
    let { obs } = env.reset({ seed: 0 });
    const start = Float64Array.from(obs.observation.subarray(0, 3));
    for (let t = 0; t < 4; t++) obs = env.step([0, 1, 0]).obs;
    const moved = [0, 1, 2].map((i) => obs.observation[i]! - start[i]!);
    expect(moved[1]).to.be.above(0.1);
    expect(Math.abs(moved[0]!)).to.be.below(0.02);
    expect(Math.abs(moved[2]!)).to.be.below(0.02);
    for (let t = 0; t < 20; t++) obs = env.step([0, 0, -1]).obs;
    // The target stops at z = 0.01, where the fingertips (9 mm below the tool) skim the table.
    expect(obs.observation[2]).to.be.within(0.005, 0.03);
    env.close();
  });

  it("lifts a cube 10 cm with the closed gripper and holds it there for 2 s", () => {
    // The tool is asked 11 cm up: the 1 kg cube hangs a few millimetres below the tool centre.
    const LIFT_TO = 0.13;
    const { env } = bare("PandaPickAndPlace-v0");
    let { obs } = env.reset({ seed: 0, options: { objectStarts: [[0.05, -0.05, 0.02]] } });
    const tool = () => obs.observation.subarray(0, 3);
    const cube = () => obs.observation.subarray(7, 10);
    const moveTo = (target: number[], grip: number, steps: number) => {
      for (let t = 0; t < steps; t++) {
        const a = [0, 1, 2].map((i) => Math.max(-1, Math.min(1, (target[i]! - tool()[i]!) * 15)));
        obs = env.step([...a, grip]).obs;
      }
    };
    moveTo([0.05, -0.05, 0.07], 1, 12);
    moveTo([0.05, -0.05, 0.02], 1, 8);
    moveTo([0.05, -0.05, 0.02], -1, 6);
    expect(obs.observation[6], "finger opening on the 4 cm cube").to.be.closeTo(0.04, 0.003);
    moveTo([0.05, -0.05, LIFT_TO], -1, 20);
    const lifted = cube()[2]!;
    expect(lifted - 0.02, "cube raised from the table").to.be.at.least(0.1);
    // 2 s at 25 Hz: the cube stays in the hand, within a centimetre of where it was lifted to.
    const heights: number[] = [];
    moveTo([0.05, -0.05, LIFT_TO], -1, 0);
    for (let t = 0; t < 50; t++) {
      moveTo([0.05, -0.05, LIFT_TO], -1, 1);
      heights.push(cube()[2]!);
    }
    expect(Math.min(...heights) - 0.02, "lowest height above its start during the hold").to.be.at.least(0.1);
    expect(Math.max(...heights) - Math.min(...heights)).to.be.below(0.01);
    expect(Math.hypot(tool()[0]! - cube()[0]!, tool()[1]! - cube()[1]!)).to.be.below(0.01);
    env.close();
  });
});
