import { expect } from "chai";
import { make } from "../../sim/index.js";
import { goalObsFromWire } from "../../client/wire-observation.js";

describe("goalObsFromWire", () => {
  it("gives a local env's observation back from its wire form, as Float64Arrays", () => {
    const env = make("PointMassPush-v0");
    const { obs } = env.reset({ seed: 4 });
    const wire = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(obs).map(([k, v]) => [k, Array.from(v)])))) as Record<
      string,
      number[]
    >;
    const back = goalObsFromWire(wire);
    for (const [k, v] of Object.entries(obs)) {
      expect(back[k], k).to.be.instanceOf(Float64Array);
      expect(Array.from(back[k]!), k).to.deep.equal(Array.from(v));
    }
    env.close();
  });

  it("refuses an observation missing a goal key, by name", () => {
    const wire = { observation: [0], achieved_goal: [0], controllable_achieved_goal: [0], full_positional_state: [0] };
    expect(() => goalObsFromWire(wire)).to.throw(TypeError, /observation has no "desired_goal"/);
  });
});
