import { existsSync } from "node:fs";
import { join } from "node:path";
import type { GoalEnv } from "../sim/core/env.js";
import { make } from "../sim/index.js";
import { selectBackend } from "../agents/nn/backend.js";
import { Hac } from "../agents/hac/hac.js";
import { parseHacTrainConfig, type HacTrainConfig } from "../agents/hac/hac-trainer.js";
import { ConfigError } from "../agents/config-error.js";
import { loadLatestCheckpoint } from "../agents/run/checkpoint.js";
import { sacStateFromBytes } from "../agents/sac/sac-state-codec.js";
import { highLevelValueMap, valueMapSvg } from "../agents/hac/value-map.js";
import { writeFileAtomic } from "../agents/run/atomic-write.js";
import { readRunConfig, runPaths } from "../agents/run/run-dir.js";

/**
 * `rapier-gym value-map --run DIR`: the HAC run's top-level Q over point-mass subgoals, after
 * `steps` deterministic steps of a seeded episode, as JSON (for the viewer) and SVG. A run
 * still training has no final policy yet: its latest checkpoint's weights are used, so the map
 * can be watched as the run learns.
 */
export async function runValueMap(run: string, seed: number, steps: number, out?: string): Promise<number> {
  await selectBackend();
  const config = parseHacTrainConfig(readRunConfig(run), join(run, "config.json"));
  const env = make(config.env, config.envKwargs);
  const { hac, source } = await loadAgent(run, config, env);
  try {
    let obs = env.reset({ seed }).obs;
    const rollout = hac.rollout(obs, "eval");
    for (let t = 0; t < steps; t++) {
      const action = rollout.act(obs);
      const r = env.step(action);
      rollout.step(action, r);
      obs = r.obs;
      if (r.terminated || r.truncated) break;
    }
    const map = highLevelValueMap(hac, obs);
    const prefix = out ?? join(run, "plots", `value-map-seed${seed}-step${steps}`);
    const svg = valueMapSvg(map, `${config.env}: top-level Q1, ${source} (episode seed ${seed}, t = ${steps})`);
    writeFileAtomic(`${prefix}.json`, `${JSON.stringify(map)}\n`);
    writeFileAtomic(`${prefix}.svg`, svg);
    console.log(`value map written: ${prefix}.{json,svg}`);
    return 0;
  } finally {
    hac.dispose();
    env.close();
  }
}

/** The run's final policy, else the weights of its latest checkpoint; `source` says which. */
async function loadAgent(run: string, config: HacTrainConfig, env: GoalEnv): Promise<{ hac: Hac; source: string }> {
  const policy = join(run, "policy");
  if (existsSync(join(policy, "hac.json"))) return { hac: await Hac.load(policy, env), source: "final policy" };
  const { checkpoint } = loadLatestCheckpoint(runPaths(run).checkpoints);
  if (checkpoint === null) throw new ConfigError(`${run} has neither a final policy nor a checkpoint yet`);
  const hac = new Hac(env, config.hac, { bufferCapacity: 1 });
  for (const [i, level] of hac.levels.entries()) {
    const bytes = checkpoint.blobs.get(`sac_l${i}`);
    if (bytes === undefined) throw new ConfigError(`${checkpoint.dir} holds no weights for HAC level ${i}`);
    level.agent.setWeights(sacStateFromBytes(bytes));
  }
  return { hac, source: `checkpoint at step ${checkpoint.step.toLocaleString("en")}` };
}
