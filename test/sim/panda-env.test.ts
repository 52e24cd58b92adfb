import { expect } from "chai";
import { EnvError, make, specInfo } from "../../sim/index.js";

describe("Panda envs: panda-gym's layouts and conventions", () => {
  const layouts: [string, number, number, number][] = [
    // id, action, observation, goal
    ["PandaReach-v0", 3, 6, 3],
    ["PandaPush-v0", 3, 18, 3],
    ["PandaSlide-v0", 3, 18, 3],
    ["PandaPickAndPlace-v0", 4, 19, 3],
    ["PandaStack-v0", 4, 31, 6],
    ["PandaPushJoints-v0", 7, 18, 3],
    ["PandaStackJointsDense-v0", 8, 31, 6],
  ];
  for (const [id, action, observation, goal] of layouts) {
    it(`${id}: action ${action}, observation ${observation}, goals ${goal}, as panda-gym`, () => {
      const info = specInfo(id);
      expect(info.actionSpace.size).to.equal(action);
      const spaces = info.observationSpace.spaces;
      expect((spaces["observation"] as { size: number }).size).to.equal(observation);
      expect((spaces["desired_goal"] as { size: number }).size).to.equal(goal);
      expect((spaces["controllable_achieved_goal"] as { size: number }).size).to.equal(4);
      expect(info.maxEpisodeSteps).to.equal(id.startsWith("PandaStack") ? 100 : 50);
    });
  }

  it("puts the table top at z = 0: a cube rests with its centre 2 cm up, and the tool starts above it", () => {
    const env = make("PandaPickAndPlace-v0");
    const { obs } = env.reset({ seed: 4 });
    const settled = env.step([0, 0, 0, 0]).obs;
    expect(settled.achieved_goal[2]).to.be.closeTo(0.02, 0.001);
    expect(obs.observation[2]).to.be.closeTo(0.2, 0.01);
    // controllable_achieved_goal: the tool position and the finger opening (open: 8 cm).
    expect(Array.from(settled.controllable_achieved_goal.subarray(0, 3))).to.deep.equal(Array.from(settled.observation.subarray(0, 3)));
    expect(settled.controllable_achieved_goal[3]).to.be.closeTo(0.08, 0.002);
    expect(Array.from(settled.full_positional_state.subarray(4))).to.deep.equal(Array.from(settled.achieved_goal));
    env.close();
  });

  it("lets Slide's struck puck slide on as panda-gym's does: the table's friction on it is 0.04 × 0.5", () => {
    const env = make("PandaSlide-v0");
    let { obs } = env.reset({ seed: 1, options: { objectStarts: [[-0.1, 0, 0.015]], goal: [0.5, 0, 0.015] } });
    const clip = (a: number[]) => a.map((v) => Math.max(-1, Math.min(1, v)));
    const trace: { toolX: number; puckX: number; puckVx: number }[] = [];
    for (let t = 0; t < 50; t++) {
      const o = obs.observation;
      // Line up behind the puck, strike it for 10 steps at 0.4 of full speed, then hold still.
      const action = t < 15 ? [(-0.18 - o[0]!) * 5, -o[1]! * 5, (0.015 - o[2]!) * 5] : t < 25 ? [0.4, 0, 0] : [0, 0, 0];
      ({ obs } = env.step(clip(action)));
      trace.push({ toolX: obs.observation[0]!, puckX: obs.observation[6]!, puckVx: obs.observation[12]! });
    }
    // The tool stops at step 25; the puck slides on by more than 15 cm...
    expect(trace[49]!.puckX - trace[25]!.puckX).to.be.greaterThan(0.15);
    expect(trace[49]!.toolX - trace[25]!.toolX).to.be.closeTo(0, 0.005);
    // ...slowing by μg = 0.02 × 9.81 m/s² (Rapier's average of the two, 0.27, stopped it in 3 steps).
    const deceleration = (trace[30]!.puckVx - trace[45]!.puckVx) / (15 * 0.04);
    expect(deceleration).to.be.closeTo(0.02 * 9.81, 0.04);
    env.close();
  });

  it("sends Slide's struck puck off at the tool's commanded speed, where targets set at once send it at a spurt's", () => {
    /** The puck's speed over the commanded one, struck from a 10 cm run-up at action a (1.25a m/s). */
    const strike = (smoothControl: boolean, a: number): number => {
      const env = make("PandaSlide-v0", { smoothControl });
      let { obs } = env.reset({ seed: 1, options: { objectStarts: [[-0.05, 0, 0.015]], goal: [0.5, 0, 0.015] } });
      const toward = (x: number, z: number) => [(x - obs.observation[0]!) * 10, -obs.observation[1]! * 10, (z - obs.observation[2]!) * 10];
      for (let t = 0; t < 40; t++) ({ obs } = env.step(toward(-0.19, t < 15 ? 0.06 : 0.012).map((v) => Math.max(-1, Math.min(1, v)))));
      while (Math.abs(obs.observation[12]!) < 0.005)
        ({ obs } = env.step([a, -obs.observation[1]! * 10, (0.012 - obs.observation[2]!) * 10]));
      for (let t = 0; t < 4; t++) ({ obs } = env.step([-0.1, 0, 0.2]));
      env.close();
      return obs.observation[12]! / (1.25 * a);
    };
    const actions = [0.3, 0.4, 0.5];
    // Ramped (Slide's default): 0.96, 1.00, 1.02. Set at once: 0.71, 1.48, 1.00.
    for (const a of actions) expect(strike(true, a), `a = ${a}`).to.be.within(0.9, 1.1);
    expect(actions.map((a) => strike(false, a)).some((ratio) => ratio < 0.9 || ratio > 1.1)).to.equal(true);
  });

  it("takes goal and object starts as reset options, and names a bad one without changing state", () => {
    const env = make("PandaPush-v0");
    const { obs } = env.reset({ seed: 0, options: { goal: [0.1, -0.1, 0.02], objectStarts: [[0.05, 0.05, 0.02]] } });
    expect(Array.from(obs.desired_goal)).to.deep.equal([0.1, -0.1, 0.02]);
    expect(obs.achieved_goal[0]).to.be.closeTo(0.05, 1e-6);
    const before = env.snapshot();
    expect(() => env.reset({ options: { goal: [0, 0] } })).to.throw(EnvError, /bad reset options: goal/);
    expect(() =>
      env.reset({
        options: {
          objectStarts: [
            [0, 0, 0.02],
            [0.1, 0, 0.02],
          ],
        },
      }),
    ).to.throw(EnvError, /objectStarts/);
    expect(() => env.reset({ options: { blockStarts: [] } })).to.throw(EnvError, /blockStarts/);
    expect(Buffer.from(env.snapshot()).equals(Buffer.from(before))).to.equal(true);
    env.close();
  });

  it("scores one distance over the whole goal: sparse -1/0, dense minus it, Stack's threshold 0.1", () => {
    const push = make("PandaPush-v0");
    const dense = make("PandaPushDense-v0");
    const stack = make("PandaStack-v0");
    const at = Float64Array.of(0, 0, 0.02);
    const off = Float64Array.of(0.03, 0.04, 0.02);
    expect(
      Array.from(push.computeReward(Float64Array.of(...at, ...at), Float64Array.of(...off, ...at.map((v) => v + 0.06)))),
    ).to.deep.equal([0, -1]);
    expect(dense.computeReward(at, off)[0]).to.be.closeTo(-0.05, 1e-12);
    // Stack: 0.08 over six numbers is a success at 0.1, a failure at 0.05.
    const six = new Float64Array(6);
    expect(stack.computeReward(six, Float64Array.of(0.08, 0, 0, 0, 0, 0))[0]).to.equal(0);
    const strict = make("PandaStack-v0", { distanceThreshold: 0.05 });
    expect(strict.computeReward(six, Float64Array.of(0.08, 0, 0, 0, 0, 0))[0]).to.equal(-1);
    for (const env of [push, dense, stack, strict]) env.close();
  });

  it("rejects bad kwargs, naming the key", () => {
    expect(() => make("PandaReach-v0", { controlType: "torque" })).to.throw(EnvError, /controlType/);
    expect(() => make("PandaReach-v0", { distanceThreshold: 0 })).to.throw(EnvError, /distanceThreshold/);
  });
});
