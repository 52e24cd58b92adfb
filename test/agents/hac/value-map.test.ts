import { expect } from "chai";
import { selectBackend } from "../../../agents/nn/backend.js";
import { Hac } from "../../../agents/hac/hac.js";
import { highLevelValueMap, valueMapSvg } from "../../../agents/hac/value-map.js";
import { policyInput } from "../../../agents/sac/policy-input.js";
import { make } from "../../../sim/index.js";

describe("HAC value map", () => {
  before(async () => {
    await selectBackend();
  });

  const cases = [
    { subgoalSpace: "controllable_achieved_goal", relativeSubgoals: false },
    { subgoalSpace: "controllable_achieved_goal", relativeSubgoals: true },
    { subgoalSpace: "full_positional_state", relativeSubgoals: false },
  ] as const;
  for (const c of cases) {
    it(`sweeps an 80x80 grid of point-mass subgoals through the top critic (${c.subgoalSpace}${c.relativeSubgoals ? ", relative" : ""})`, () => {
      const env = make("PointMassPush-v0");
      const hac = new Hac(env, { ...c, sac: { hidden: [8, 8] } }, { seed: 1, bufferCapacity: 10 });
      const { obs } = env.reset({ seed: 4 });
      const map = highLevelValueMap(hac, obs);
      expect(map.q).to.have.length(6400);
      expect(map.xs[0]).to.equal(-2.5);
      expect(map.xs[79]).to.equal(2.5);
      expect(map.mass).to.deep.equal([obs.observation[0], obs.observation[1]]);
      // Cell (i, j) is Q1 of the subgoal (xs[i], ys[j]), with the blocks' part left where they are.
      const [i, j] = [17, 61];
      const current = obs[c.subgoalSpace];
      const subgoal = Float64Array.from(current);
      subgoal[0] = map.xs[i]!;
      subgoal[1] = map.ys[j]!;
      const action = Float32Array.from(subgoal, (v, d) => (c.relativeSubgoals ? v - current[d]! : v));
      const top = hac.levels[1]!;
      expect(map.q[j * 80 + i]).to.be.closeTo(top.agent.qValues(policyInput(obs), action).qf1[0]!, 1e-5);
      expect(valueMapSvg(map, "t").match(/<rect /g)!.length).to.be.greaterThan(6400);
      hac.dispose();
      env.close();
    });
  }

  it("refuses block-position subgoals, which have no point-mass part to sweep", () => {
    const env = make("PointMassPush-v0");
    const hac = new Hac(env, { subgoalSpace: "achieved_goal", sac: { hidden: [8, 8] } }, { seed: 1, bufferCapacity: 10 });
    expect(() => highLevelValueMap(hac, env.reset({ seed: 0 }).obs)).to.throw(/block positions/);
    hac.dispose();
    env.close();
  });
});
