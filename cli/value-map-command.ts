import { join } from "node:path";
import { make } from "../sim/index.js";
import { selectBackend } from "../agents/nn/backend.js";
import { Hac } from "../agents/hac/hac.js";
import { parseHacTrainConfig } from "../agents/hac/hac-trainer.js";
import { highLevelValueMap, valueMapSvg } from "../agents/hac/value-map.js";
import { writeFileAtomic } from "../agents/train/atomic-write.js";
import { readRunConfig } from "../agents/train/run-dir.js";
import { svgToPng } from "../agents/train/svg-to-png.js";

/**
 * `rapier-gym value-map --run DIR`: the HAC run's top-level Q over point-mass subgoals, after
 * `steps` deterministic steps of a seeded episode, as JSON (for the viewer), SVG and PNG.
 */
export async function runValueMap(run: string, seed: number, steps: number, out?: string): Promise<number> {
  await selectBackend();
  const config = parseHacTrainConfig(readRunConfig(run), join(run, "config.json"));
  const env = make(config.env, config.envKwargs);
  const hac = await Hac.load(join(run, "policy"), env);
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
    const svg = valueMapSvg(map, `${config.env}: top-level Q1 over point-mass subgoals (seed ${seed}, step ${steps})`);
    writeFileAtomic(`${prefix}.json`, `${JSON.stringify(map)}\n`);
    writeFileAtomic(`${prefix}.svg`, svg);
    writeFileAtomic(`${prefix}.png`, svgToPng(svg, 700));
    console.log(`value map written: ${prefix}.{json,svg,png}`);
    return 0;
  } finally {
    hac.dispose();
    env.close();
  }
}
