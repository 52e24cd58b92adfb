/**
 * What `rapier-gym collect --source` names: the scripted expert, or a finished flat SAC + HER
 * run whose final policy acts deterministically (the author collected from a trained model).
 * On an env with more blocks than the source was made for (a one-block run on PointMassPush2, or
 * the expert on any multi-block env) the source is pointed at one block at a time (docs/original-code.md §3.6).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { GoalEnv, GoalObs } from "../../sim/core/env.js";
import { PushExpert } from "../experts/push-expert.js";
import { loadRunPolicy } from "../sac/run-policy.js";
import { blockCount, oneBlockAtATime, type DemoPolicy } from "./one-block-at-a-time.js";
import { ConfigError } from "../config-error.js";

export interface DemoSource {
  policy: DemoPolicy;
  /** What the demo file records as its source. */
  label: string;
  /** Frees the source's weights. */
  dispose(): void;
}

/** `"expert"` or a run directory holding `policy/` (a flat run's final policy). */
export async function openDemoSource(source: string, env: GoalEnv): Promise<DemoSource> {
  const { obs } = env.reset({ seed: 0 });
  const blocks = blockCount(obs);
  if (source === "expert") {
    const expert = new PushExpert();
    const act = (o: GoalObs): Float64Array => expert.act(o);
    return blocks >= 2
      ? { policy: oneBlockAtATime(act, env), label: "expert (one block at a time)", dispose: () => {} }
      : { policy: act, label: "expert", dispose: () => {} };
  }
  const dir = join(source, "policy");
  if (!existsSync(dir)) throw new ConfigError(`--source ${source}: neither "expert" nor a finished flat run (no ${dir})`);
  const agent = await loadRunPolicy(dir, obs.desired_goal.length);
  const act = (o: GoalObs): Float32Array => agent.act(o);
  const inputs = agent.observationSize + agent.goalSize;
  const envInput = obs.observation.length + obs.desired_goal.length;
  const dispose = (): void => agent.dispose();
  if (inputs === envInput) return { policy: act, label: source, dispose };
  // A one-block policy sees [mass 4, block 4, goal 2].
  if (inputs === 10 && blocks >= 2) return { policy: oneBlockAtATime(act, env), label: `${source} (one block at a time)`, dispose };
  agent.dispose();
  throw new ConfigError(
    `--source ${source}: its policy takes ${inputs} inputs; this env gives ${envInput} (and a one-block policy, 10, needs an env with 2+ blocks)`,
  );
}
