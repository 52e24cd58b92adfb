import { expect } from "chai";
import { EnvError, make } from "../../sim/index.js";

/** Calibration against the original pybullet world (docs/original-code.md §1.3, measured figures). */
describe("PointMass calibration against the original world", () => {
  it("moves the mass about 0.0975 per step at full action in free space (±10%)", () => {
    const env = make("PointMassReach-v0");
    let x = env.reset({ seed: 0, options: { agentStart: [-2, 0] } }).obs.observation[0]!;
    const perStep: number[] = [];
    for (let t = 0; t < 20; t++) {
      const next = env.step([1, 0]).obs.observation[0]!;
      perStep.push(next - x);
      x = next;
    }
    // Steady state: skip the first steps, where the mass accelerates from rest.
    const steady = perStep.slice(3);
    const mean = steady.reduce((a, b) => a + b, 0) / steady.length;
    expect(mean).to.be.within(0.0975 * 0.9, 0.0975 * 1.1);
    env.close();
  });

  it("pushes the block, which stops against the wall with the mass behind it", () => {
    const env = make("PointMassPush-v0", { maxEpisodeSteps: 400 });
    let obs = env.reset({ seed: 0, options: { agentStart: [-1.5, 0.3], blockStarts: [[-0.5, 0.3]], goal: [1, -1] } }).obs;
    for (let t = 0; t < 100; t++) obs = env.step([1, 0]).obs;
    const [mx, my, , , bx, by, bvx] = obs.observation;
    // The block jams against the east wall (inner face 2.75, half-extent 0.35): centre ≈ 2.4,
    // and the mass stops touching it (original: block 2.4, mass 1.85).
    expect(bx).to.be.closeTo(2.4, 0.03);
    expect(by).to.be.closeTo(0.3, 0.05);
    expect(Math.abs(bvx!)).to.be.lessThan(1e-3);
    expect(mx).to.be.closeTo(1.85, 0.03);
    expect(my).to.be.closeTo(0.3, 0.01);
    env.close();
  });

  it("rejects bad reset options by name and leaves the env as it was", () => {
    const env = make("PointMassPush-v0");
    env.reset({ seed: 0 });
    const before = Buffer.from(env.snapshot());
    expect(() => env.reset({ options: { goal: [1] } })).to.throw(EnvError, /goal/);
    expect(() => env.reset({ options: { agentStart: [9, 0] } })).to.throw(EnvError, /agentStart/);
    expect(() => env.reset({ options: { teleport: true } })).to.throw(EnvError, /teleport/);
    expect(Buffer.from(env.snapshot()).equals(before)).to.equal(true);
    env.close();
  });
});
