/**
 * `rapier-gym export --run DIR`: writes `policy.onnx` beside a saved agent's `sac.json`, for a run
 * saved before every save wrote one. A flat run's actor reads {observation, desired_goal}; each
 * HAC level's reads {observation, desired_goal} (the top) or {observation, subgoal}.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../agents/config-error.js";
import { selectBackend } from "../agents/nn/backend.js";
import { readRunConfig } from "../agents/run/run-dir.js";
import { POLICY_FILE, writePolicyOnnx } from "../agents/sac/policy-onnx.js";
import { Sac } from "../agents/sac/sac.js";
import { make } from "../sim/index.js";

export async function runExport(run: string): Promise<number> {
  await selectBackend();
  const config = readRunConfig(run) as { env?: unknown; envKwargs?: Record<string, unknown> };
  if (typeof config.env !== "string") throw new ConfigError(`${run}/config.json names no env`);
  const env = make(config.env, config.envKwargs ?? {});
  const observation = env.observationSpace.box("observation").size;
  const desiredGoal = env.observationSpace.box("desired_goal").size;
  env.close();
  const policy = join(run, "policy");
  const levels = existsSync(policy)
    ? readdirSync(policy)
        .filter((name) => /^level-\d+$/.test(name))
        .sort()
    : [];
  const dirs = levels.length > 0 ? levels.map((name) => join(policy, name)) : [policy];
  for (const [i, dir] of dirs.entries()) {
    if (!existsSync(join(dir, "sac.json"))) throw new ConfigError(`${dir} holds no sac.json to export`);
    const agent = await Sac.load(dir);
    const top = i === dirs.length - 1;
    const goal = { key: top ? "desired_goal" : "subgoal", size: agent.obsDim - observation };
    if (top && goal.size !== desiredGoal)
      throw new ConfigError(`${dir}: the actor takes ${agent.obsDim} inputs, not observation ${observation} + desired goal ${desiredGoal}`);
    writePolicyOnnx(dir, agent, [{ key: "observation", size: observation }, goal]);
    agent.dispose();
    console.log(`wrote ${join(dir, POLICY_FILE)}`);
  }
  return 0;
}
