/**
 * The 200-byte budget of a PointMassPush frame message, guaranteed rather than measured: the
 * longest message any reachable state can give, built from the env's bounds, not sampled from
 * rollouts (protocol.test.ts measures real traffic). A wire number is an integer (server/
 * wire-frame.ts), whose length grows with its magnitude on either side of zero, so the longest
 * number a bounded coordinate can travel as is at one end of its bound.
 */
import { expect } from "chai";
import { make } from "../../sim/index.js";
import type { Frame, SceneDescription } from "../../sim/physics/scene.js";
import { ARENA } from "../../sim/scenes/arena.js";
import { DEFAULT_LIMITS } from "../../server/limits.js";
import { frameEvent, sessionFrameEvent } from "../../protocol/messages.js";
import { subgoalGhosts, type SubgoalSpace } from "../../server/subgoal-ghosts.js";
import { WIRE_SCALE, wireFrame } from "../../protocol/wire-frame.js";

const BUDGET = 200;
const ENV = "PointMassPush-v0";

/** The end of [lo, hi] whose wire number is longer. */
function longest(lo: number, hi: number): number {
  const length = (v: number) => String(Math.round(v * WIRE_SCALE)).length;
  return length(lo) >= length(hi) ? lo : hi;
}

/** x and y of every body, goal and subgoal: the walls' centre lines bound the arena (bodies and goals stay within ±2.75). */
const XY = longest(-ARENA.wallOffset, ARENA.wallOffset);
/** z of a body: from the floor's top up to the arena's width (the walls stand 0.9 m high; a block balanced on a corner is at 0.51). */
const Z = longest(ARENA.floorTop, ARENA.wallOffset);
/**
 * Any rotation's longest quaternion. Each component is within ±1000 thousandths; five characters
 * (-1000) need |q| ≥ 0.9995, which leaves the other three below 0.032 (three characters at most),
 * so the longest has four characters in each component, and qw ≥ 0 (wire-frame.ts) takes the minus
 * sign off one: 4 + 4 + 4 + 3, which this reaches.
 */
const ROTATION = [-0.5, -0.5, -0.5, 0.5];
/**
 * Ids far above any a test server gives (tens): session ids count up over a server's life, and the
 * budget must not hang on a counter staying small. Below a million, the worst message is 194
 * bytes plus the session id's digits.
 */
const SESSION = 99_999;
const HANDLE = 99_999;
const INDEX = DEFAULT_LIMITS.maxEnvsPerConnection - 1;

/** The worst frame of `scene`: every number at its longest, every marker of `placed` drawn at its own height. */
function worstFrame(scene: SceneDescription, step: number, placed: Frame["markers"]): Frame {
  const moving = scene.bodies.filter((b) => b.kind !== "fixed");
  const markers: Frame["markers"] = {};
  for (const [name, p] of Object.entries(placed)) markers[name] = [XY, XY, p[2]];
  return { step, poses: moving.flatMap(() => [XY, XY, Z, ...ROTATION]), markers };
}

describe("PointMassPush frame messages: the worst case from the env's bounds", () => {
  const env = make(ENV);
  const { obs } = env.reset({ seed: 0 });
  const scene = env.unwrapped.scene();
  /** The env's goal markers keep their own height (the task's constant), as every frame does. */
  const goals = env.unwrapped.frame().markers;
  const step = env.spec!.maxEpisodeSteps!;
  after(() => env.close());

  it("the bounds give the longest numbers: 5 characters for x and y, 4 for a body's z, 15 for a quaternion", () => {
    const wire = wireFrame(worstFrame(scene, step, goals), scene.markers);
    expect(wire.poses.slice(0, 7).map((v) => String(v).length)).to.deep.equal([5, 5, 4, 4, 4, 4, 3]);
    expect(step).to.equal(200);
  });

  it("a subscribed env's frame message (goal only) is at most 200 bytes", () => {
    const event = { event: "frame", handle: HANDLE, index: INDEX, ...wireFrame(worstFrame(scene, step, goals), scene.markers) };
    const bytes = Buffer.byteLength(JSON.stringify(frameEvent.parse(event)));
    expect(bytes).to.be.at.most(BUDGET);
  });

  for (const space of ["controllable_achieved_goal", "achieved_goal", "full_positional_state"] satisfies SubgoalSpace[]) {
    it(`a watched frame message with every ${space} subgoal ghost is at most 200 bytes`, () => {
      // Ghosts as bridge/live-agents.ts and cli/train-serve.ts draw them: the subgoal space's full
      // size, every ghost placed, each at its body's resting height.
      const dim = obs[space]!.length;
      const ghosts = subgoalGhosts(scene, space, dim);
      expect(ghosts.markers.length).to.equal(dim / 2);
      const markers = [...scene.markers, ...ghosts.markers];
      const frame = worstFrame(scene, step, { ...goals, ...ghosts.positions(new Array<number>(dim).fill(0)) });
      const event = { event: "sessionFrame", session: SESSION, ...wireFrame(frame, markers) };
      const bytes = Buffer.byteLength(JSON.stringify(sessionFrameEvent.parse(event)));
      expect(bytes, JSON.stringify(event)).to.be.at.most(BUDGET);
    });
  }
});
