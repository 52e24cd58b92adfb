/**
 * checkEnv, after Gymnasium's `check_env`: the checks a new env must pass before anyone trains on
 * it. It throws an Error naming the first broken promise. It steps the env, and closes nothing.
 */
import { isGoalEnv, type DictObs, type Env } from "./core/env.js";
import { Box, Dict } from "./core/spaces.js";
import { Rng } from "./core/rng.js";

export function checkEnv(env: Env<DictObs>, options: { steps?: number } = {}): void {
  const name = env.unwrapped.toString();
  const fail = (msg: string): never => {
    throw new Error(`checkEnv(${name}): ${msg}`);
  };
  if (!(env.observationSpace instanceof Dict) && !(env.observationSpace instanceof Box)) fail("observationSpace must be a Box or a Dict");
  if (!(env.actionSpace instanceof Box)) fail("actionSpace must be a Box");
  if (!env.actionSpace.low.every(Number.isFinite) || !env.actionSpace.high.every(Number.isFinite)) fail("actionSpace must be bounded");

  // Seeding goes through reset: the same seed gives the same first observation.
  const a = env.reset({ seed: 123 });
  const b = env.reset({ seed: 123 });
  if (!sameObs(a.obs, b.obs)) fail("reset({seed: 123}) twice gave different observations");
  if (!env.observationSpace.contains(a.obs)) fail("reset() observation is not in observationSpace");
  if (typeof a.info !== "object" || a.info === null) fail("reset() info must be an object");
  const c = env.reset({ seed: 124 });
  if (sameObs(a.obs, c.obs)) fail("reset({seed: 124}) gave the same observation as seed 123");

  const goal = isGoalEnv(env);
  if (goal) {
    for (const key of ["observation", "achieved_goal", "desired_goal"]) {
      if (!(env.observationSpace instanceof Dict) || !(key in env.observationSpace.spaces))
        fail(`a goal env needs the observation key ${key}`);
    }
    if (typeof a.info.is_success !== "boolean") fail("a goal env's reset() info needs a boolean is_success");
  }

  const rng = new Rng(0);
  const steps = options.steps ?? 25;
  for (let t = 0; t < steps; t++) {
    const r = env.step(env.actionSpace.sample(rng));
    if (!env.observationSpace.contains(r.obs)) fail(`step ${t}: observation is not in observationSpace`);
    if (typeof r.reward !== "number" || !Number.isFinite(r.reward)) fail(`step ${t}: reward must be a finite number, got ${r.reward}`);
    if (typeof r.terminated !== "boolean" || typeof r.truncated !== "boolean") fail(`step ${t}: terminated and truncated must be booleans`);
    if (goal) {
      if (typeof r.info.is_success !== "boolean") fail(`step ${t}: info.is_success must be a boolean`);
      const recomputed = env.computeReward(r.obs["achieved_goal"]!, r.obs["desired_goal"]!, r.info)[0];
      if (recomputed !== r.reward) fail(`step ${t}: reward ${r.reward} differs from computeReward on the step's goals (${recomputed})`);
    }
    if (r.terminated || r.truncated) env.reset();
  }

  // A snapshot restores to the same state: the next step is identical.
  const snap = env.snapshot();
  const action = env.actionSpace.sample(rng);
  const first = env.step(action);
  env.restore(snap);
  const second = env.step(action);
  if (!sameObs(first.obs, second.obs) || first.reward !== second.reward)
    fail("a step after restore(snapshot()) differs from the step it replays");

  const scene = env.scene();
  if (!Array.isArray(scene.bodies) || scene.bodies.length === 0) fail("scene() must describe at least one body");
  const frame = env.frame();
  const moving = scene.bodies.filter((body) => body.kind !== "fixed").length;
  if (frame.poses.length !== 7 * moving) fail(`frame() must hold 7 numbers per moving body (${moving}), got ${frame.poses.length}`);
}

function sameObs(a: DictObs, b: DictObs): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => {
    const x = a[k]!;
    const y = b[k];
    return y !== undefined && x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
  });
}
