/**
 * The demo's agents as the server's live sessions run them (server/agent-session.ts): the
 * scripted expert, a flat SAC policy, and a HAC hierarchy, whose bottom-level subgoal is drawn as
 * a ghost and whose top-level critic, on PointMass, is drawn as a value map under the scene.
 */
import { pandaExpertFor } from "../agents/experts/panda-expert.js";
import { PushExpert } from "../agents/experts/push-expert.js";
import type { Hac } from "../agents/hac/hac.js";
import type { HacRollout } from "../agents/hac/hac-rollout.js";
import { highLevelValueMap } from "../agents/hac/value-map.js";
import type { RunPolicy } from "../agents/sac/run-policy.js";
import type { LiveAgent } from "../server/agent-session.js";
import type { ValueMapJSON } from "../protocol/messages.js";
import { subgoalGhosts, type SubgoalGhosts } from "../server/subgoal-ghosts.js";
import type { GoalObs } from "../sim/core/env.js";
import type { SceneDescription } from "../sim/physics/scene.js";

/** An agent with no markers and no value map: all a plain policy needs. */
function plainAgent(name: string, act: (obs: GoalObs) => ArrayLike<number>): LiveAgent {
  return {
    name,
    markers: () => [],
    begin: () => undefined,
    act,
    observe: () => undefined,
    markerPositions: () => ({}),
    valueMap: () => null,
  };
}

/** The scripted expert of `envId`: the Panda task's own, else the point-mass pusher (Push, Push2, Reach). */
export function expertAgent(envId: string): LiveAgent {
  if (envId.startsWith("Panda")) {
    const panda = pandaExpertFor(envId);
    if (panda === undefined)
      throw new Error(`${envId} has no scripted expert (the Panda experts drive the ee-control Reach, Push, PickAndPlace and Stack ids)`);
    return plainAgent("scripted expert", panda);
  }
  const expert = new PushExpert();
  return plainAgent("scripted expert", (obs) => expert.act(obs));
}

export function sacAgent(policy: RunPolicy, name: string): LiveAgent {
  return plainAgent(name, (obs) => policy.act(obs));
}

export function hacAgent(hac: Hac, name: string): LiveAgent {
  let rollout: HacRollout | null = null;
  let ghosts: SubgoalGhosts | null = null;
  let pointMass = false;
  return {
    name,
    markers(scene: SceneDescription) {
      ghosts = subgoalGhosts(scene, hac.config.subgoalSpace, hac.subgoalDim);
      pointMass = scene.bodies.some((b) => b.name === "agent") && hac.config.subgoalSpace !== "achieved_goal";
      return ghosts.markers;
    },
    begin(obs) {
      rollout = hac.rollout(obs, "eval");
    },
    act(obs) {
      return rollout!.act(obs);
    },
    observe(action, result) {
      rollout!.step(action, result);
    },
    markerPositions() {
      const subgoal = rollout?.subgoal(1);
      return subgoal && ghosts ? ghosts.positions(subgoal) : {};
    },
    valueMap(obs): ValueMapJSON | null {
      return pointMass ? valueMapWire(hac, obs) : null;
    },
  };
}

/** The top level's value map in wire form, rounded to what a colour can show. */
export function valueMapWire(hac: Hac, obs: GoalObs): ValueMapJSON {
  const map = highLevelValueMap(hac, obs);
  return { size: map.size, range: map.range, q: map.q.map((q) => Math.round(q * 1000) / 1000) };
}
