import { expect } from "chai";
import { Rng } from "../../sim/core/rng.js";
import { KinematicChain, linkFrames } from "../../kinematics/kinematics.js";
import { solveIk } from "../../kinematics/ik.js";
import { PANDA_DH, PANDA_LINKS, PANDA_NEUTRAL, pandaDescription } from "../../kinematics/panda.js";
import { compose, fromXyzRpy, rotation, type Transform } from "../../kinematics/transform.js";

/** Craig's modified DH, written straight from the table: RotX(α)·TransX(a)·RotZ(θ)·TransZ(d). */
function dhFlange(q: ArrayLike<number>): Transform {
  let t: Transform = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0);
  PANDA_DH.forEach(({ a, d, alpha }, i) => {
    const theta = i < 7 ? q[i]! : 0;
    const [ca, sa, ct, st] = [Math.cos(alpha), Math.sin(alpha), Math.cos(theta), Math.sin(theta)];
    // The closed form of the product, as in Craig (3.6).
    const step = Float64Array.of(ct, -st, 0, st * ca, ct * ca, -sa, st * sa, ct * sa, ca, a, -sa * d, ca * d);
    t = compose(t, step);
  });
  return t;
}

function randomConfig(chain: KinematicChain, rng: Rng): Float64Array {
  return Float64Array.from(chain.lower, (lo, i) => rng.uniform(lo, chain.upper[i]!));
}

describe("Panda kinematics", () => {
  const robot = pandaDescription();
  const flange = new KinematicChain(robot, PANDA_LINKS.base, PANDA_LINKS.flange);
  const tcp = new KinematicChain(robot, PANDA_LINKS.base, PANDA_LINKS.tcp);

  it("puts the flange where Franka's checks say", () => {
    const zero = flange.fk([0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(zero.subarray(9))).to.satisfy((p: number[]) => Math.hypot(p[0]! - 0.088, p[1]!, p[2]! - 0.926) < 1e-9);
    const ready = flange.fk([0, -Math.PI / 4, 0, (-3 * Math.PI) / 4, 0, Math.PI / 2, Math.PI / 4]);
    expect(ready[9]).to.be.closeTo(0.3069, 1e-4);
    expect(ready[10]).to.be.closeTo(0, 1e-9);
    expect(ready[11]).to.be.closeTo(0.5903, 1e-4);
  });

  it("equals the DH table within 1e-6 m (and rotation within 1e-9) at 1000 random configurations", () => {
    const rng = new Rng(1);
    for (let k = 0; k < 1000; k++) {
      const q = randomConfig(flange, rng);
      const ours = flange.fk(q);
      const table = dhFlange(q);
      expect(Math.hypot(ours[9]! - table[9]!, ours[10]! - table[10]!, ours[11]! - table[11]!)).to.be.below(1e-6);
      for (let i = 0; i < 9; i++) expect(Math.abs(ours[i]! - table[i]!)).to.be.below(1e-9);
    }
  });

  it("gives, on its fast path for joints about z, the very numbers of the generic product (linkFrames)", () => {
    const rng = new Rng(5);
    for (let k = 0; k < 1000; k++) {
      const q = randomConfig(tcp, rng);
      const positions = Object.fromEntries(tcp.jointNames.map((name, i) => [name, q[i]!]));
      const generic = linkFrames(robot, positions).get(PANDA_LINKS.tcp)!;
      // + 0 makes -0 and 0 one number: the fast path leaves out additions of zeros, which only a zero sum can tell.
      expect(
        Array.from(tcp.fk(q), (v) => v + 0),
        `configuration ${k}`,
      ).to.deep.equal(Array.from(generic, (v) => v + 0));
    }
  });

  it("puts the tool centre point 0.1034 m beyond the flange, hand turned −π/4", () => {
    const q = randomConfig(flange, new Rng(2));
    const expected = compose(compose(dhFlange(q), fromXyzRpy([0, 0, 0], [0, 0, -Math.PI / 4])), fromXyzRpy([0, 0, 0.1034], [0, 0, 0]));
    const ours = tcp.fk(q);
    for (let i = 0; i < 12; i++) expect(ours[i]).to.be.closeTo(expected[i]!, 1e-12);
  });

  it("has a geometric Jacobian that matches finite differences of FK", () => {
    const rng = new Rng(3);
    const h = 1e-6;
    for (let k = 0; k < 20; k++) {
      const q = randomConfig(tcp, rng);
      const jac = new Float64Array(6 * 7);
      const tip = Float64Array.from(tcp.jacobian(q, jac));
      for (let j = 0; j < 7; j++) {
        const qh = Float64Array.from(q);
        qh[j] = qh[j]! + h;
        const moved = tcp.fk(qh);
        for (let r = 0; r < 3; r++) expect(jac[r * 7 + j]).to.be.closeTo((moved[9 + r]! - tip[9 + r]!) / h, 1e-5);
        // Angular column: the axis ω with dR = [ω]× R: read ω from (R' - R) Rᵀ.
        const w = [0, 0, 0];
        const d = (i: number, c: number) => (moved[3 * i + c]! - tip[3 * i + c]!) / h;
        const dRRt = (i: number, l: number) => d(i, 0) * tip[3 * l]! + d(i, 1) * tip[3 * l + 1]! + d(i, 2) * tip[3 * l + 2]!;
        w[0] = dRRt(2, 1);
        w[1] = dRRt(0, 2);
        w[2] = dRRt(1, 0);
        for (let r = 0; r < 3; r++) expect(jac[(3 + r) * 7 + j]).to.be.closeTo(w[r]!, 1e-5);
      }
    }
  });

  it("rejects a q of the wrong length, and a tip that is not below the base", () => {
    expect(() => flange.fk([0, 0])).to.throw(RangeError, /must have 7 values, got 2/);
    expect(() => new KinematicChain(robot, PANDA_LINKS.hand, PANDA_LINKS.base)).to.throw(/does not descend from "panda_hand"/);
  });
});

describe("damped-least-squares IK on the Panda", () => {
  const tcp = new KinematicChain(pandaDescription(), PANDA_LINKS.base, PANDA_LINKS.tcp);

  it("reaches 200 random reachable positions within 5 mm from the neutral pose turned toward them, inside the limits", () => {
    const rng = new Rng(4);
    const misses: number[] = [];
    for (let k = 0; k < 200; k++) {
      const goal = tcp.fk(Float64Array.from(tcp.lower, (lo, i) => rng.uniform(lo, tcp.upper[i]!)));
      // A target behind the base is a long way round for a local method: start, as a caller
      // would, from the neutral pose with joint 1 turned toward the target's azimuth.
      const start = Float64Array.from(PANDA_NEUTRAL);
      start[0] = Math.max(tcp.lower[0]!, Math.min(tcp.upper[0]!, Math.atan2(goal[10]!, goal[9]!)));
      const r = solveIk(tcp, { position: goal.subarray(9) }, start, { rest: PANDA_NEUTRAL, maxIterations: 300 });
      if (r.positionError > 0.005) misses.push(k);
      r.q.forEach((v, i) => expect(v).to.be.within(tcp.lower[i]!, tcp.upper[i]!));
    }
    expect(misses, `missed targets ${misses.join(", ")}`).to.have.length(0);
  });

  it("reaches 200 random gripper-down poses over the table within 5 mm and 0.01 rad", () => {
    const rng = new Rng(5);
    // The orientation of the ee control: TCP z pointing down (RotX(π)), as panda-gym's.
    const down = rotation([1, 0, 0], Math.PI);
    for (let k = 0; k < 200; k++) {
      // The tasks' workspace in the base frame (base at world x = -0.6): world x in
      // [-0.2, 0.15], y in ±0.2, z in [0, 0.3]; panda-gym's goals and objects lie inside it.
      const position = [0.6 + rng.uniform(-0.2, 0.15), rng.uniform(-0.2, 0.2), rng.uniform(0, 0.3)];
      const r = solveIk(tcp, { position, orientation: down }, PANDA_NEUTRAL, { rest: PANDA_NEUTRAL });
      expect(r.positionError, `target ${position.join(", ")}`).to.be.below(0.005);
      expect(r.orientationError).to.be.below(0.01);
    }
  });

  it("clamps to the limits and returns its best effort for a target out of reach", () => {
    const r = solveIk(tcp, { position: [3, 0, 0.5] }, PANDA_NEUTRAL, { rest: PANDA_NEUTRAL });
    expect(r.positionError).to.be.above(1.5);
    r.q.forEach((v, i) => expect(v).to.be.within(tcp.lower[i]!, tcp.upper[i]!));
  });
});
