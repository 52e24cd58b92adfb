import { existsSync } from "node:fs";
import { join } from "node:path";
import { make } from "../sim/index.js";
import { selectBackend, type BackendName } from "../agents/nn/backend.js";
import { evaluatePolicy } from "../agents/run/evaluate.js";
import { loadRunPolicy } from "../agents/sac/run-policy.js";
import { parseTrainConfig } from "../agents/sac/train-config.js";
import { readRunConfig } from "../agents/run/run-dir.js";
import { UsageError } from "./usage-error.js";
import { writeDemoFile } from "../agents/demos/demo-file.js";
import { buildDemoSet, newEpisode, recordStep, type RecordedEpisode } from "../agents/demos/demo-set.js";

/**
 * `rapier-gym eval --run DIR`: the run's final policy, deterministic, on seeded episodes. With
 * `--record FILE` every episode, successful or not, is written as a demo file, which
 * `rapier-gym serve --recordings FILE` plays back in the viewer.
 */
export async function runEval(run: string, episodes: number, seed: number, backend?: BackendName, record?: string): Promise<number> {
  await selectBackend(backend);
  const config = parseTrainConfig(readRunConfig(run), join(run, "config.json"));
  const policyDir = join(run, "policy");
  if (!existsSync(policyDir))
    throw new UsageError(`${run} has no final policy yet (${policyDir}): finish the run with 'train --resume --out ${run}'`);
  const env = make(config.env, config.envKwargs);
  const agent = await loadRunPolicy(policyDir, env.observationSpace.box("desired_goal").size);
  const recorded: RecordedEpisode[] = [];
  const result = evaluatePolicy(
    env,
    (obs) => {
      const action = agent.act(obs);
      if (record !== undefined) recordStep(recorded.at(-1)!, obs, action);
      return action;
    },
    episodes,
    seed,
    record === undefined
      ? undefined
      : {
          onReset: (_env, _obs, episodeSeed) => recorded.push(newEpisode(episodeSeed)),
          onStep: () => undefined,
          onEpisodeEnd: () => undefined,
        },
  );
  if (record !== undefined) {
    writeDemoFile(record, buildDemoSet({ env: config.env, envKwargs: config.envKwargs, source: run }, recorded));
    console.log(`${episodes} episodes recorded in ${record} (play them back: rapier-gym serve --recordings ${record})`);
  }
  env.close();
  agent.dispose();
  console.log(
    `${config.env}: ${episodes} deterministic episodes, mean return ${result.meanReturn.toFixed(2)}, success ${(100 * result.successRate).toFixed(1)}%`,
  );
  console.log(JSON.stringify({ env: config.env, episodes, meanReturn: result.meanReturn, successRate: result.successRate }));
  return 0;
}
