import { expect } from "chai";
import { Box, Dict, Rng, envIds, make, spaceFromJSON } from "../../sim/index.js";

describe("spaces", () => {
  it("round-trip through their JSON wire form, infinities included", () => {
    for (const id of envIds()) {
      const env = make(id);
      const json = JSON.parse(JSON.stringify(env.observationSpace.toJSON()));
      const back = spaceFromJSON(json);
      expect(back.toJSON()).to.deep.equal(env.observationSpace.toJSON());
      const obs = (back as Dict).spaces["observation"] as Box;
      expect(obs.low[0]).to.equal(-Infinity);
      expect(obs.high[0]).to.equal(Infinity);
      env.close();
    }
  });

  it("Dict.box gives a Box entry, and names the keys there are when the key is missing or not a Box", () => {
    const inner = new Box(-1, 1, [3]);
    const space = new Dict({ observation: inner, nested: new Dict({}) });
    expect(space.box("observation")).to.equal(inner);
    expect(() => space.box("desired_goal")).to.throw(/no Box "desired_goal" \(its keys: observation, nested\)/);
    expect(() => space.box("nested")).to.throw(/no Box "nested"/);
  });

  it("Box.contains rejects NaN, wrong lengths and non-arrays", () => {
    const box = new Box(-1, 1, [2]);
    expect(box.contains([0, 1])).to.equal(true);
    expect(box.contains([0, Number.NaN])).to.equal(false);
    expect(box.contains([0])).to.equal(false);
    expect(box.contains("ab")).to.equal(false);
    expect(box.contains([0, 1.5])).to.equal(false);
  });

  it("Box refuses inverted or NaN bounds by index", () => {
    expect(() => new Box([0, 1], [1, 0])).to.throw(RangeError, /bound 1 is invalid/);
    expect(() => new Box([0, Number.NaN], [1, 1])).to.throw(RangeError, /bound 1 is invalid/);
  });

  it("samples inside bounded boxes, deterministically per seed", () => {
    const box = new Box([-2, 0], [2, 0.5]);
    const a = new Rng(3);
    const b = new Rng(3);
    for (let i = 0; i < 100; i++) {
      const x = box.sample(a);
      expect(box.contains(x)).to.equal(true);
      expect(Array.from(box.sample(b))).to.deep.equal(Array.from(x));
    }
  });
});

describe("Rng", () => {
  it("gives the same stream for the same seed and different streams for near seeds", () => {
    const draw = (seed: number) =>
      Array.from(
        { length: 5 },
        (() => {
          const r = new Rng(seed);
          return () => r.nextUint32();
        })(),
      );
    expect(draw(1)).to.deep.equal(draw(1));
    expect(draw(1)).to.not.deep.equal(draw(2));
  });

  it("continues identically from a saved state", () => {
    const r = new Rng(11);
    r.random();
    const saved = r.state;
    const next = [r.random(), r.normal(), r.integer(10)];
    const s = new Rng(0);
    s.state = saved;
    expect([s.random(), s.normal(), s.integer(10)]).to.deep.equal(next);
  });

  it("draws uniform floats in [0, 1) with a sane mean", () => {
    const r = new Rng(5);
    let sum = 0;
    for (let i = 0; i < 20000; i++) {
      const u = r.random();
      expect(u).to.be.at.least(0).and.below(1);
      sum += u;
    }
    expect(sum / 20000).to.be.closeTo(0.5, 0.01);
  });

  it("refuses a state that is not four uint32 words", () => {
    const r = new Rng(0);
    expect(() => (r.state = [1, 2, 3])).to.throw(TypeError, /four uint32 words/);
    expect(() => new Rng(1.5)).to.throw(TypeError, /integer/);
  });
});
