/**
 * What the viewer's ops and the browser tests need on disk: a run directory with a learning
 * curve, and a demo file of expert episodes to play back, both made for real (the expert acts in
 * the env; the metrics rows have the trainers' fields).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PushExpert } from "../../agents/experts/push-expert.js";
import { writeDemoFile } from "../../agents/demos/demo-file.js";
import { buildDemoSet, newEpisode, recordStep, type RecordedEpisode } from "../../agents/demos/demo-set.js";
import { make } from "../../sim/index.js";

/** A run directory whose metrics.jsonl holds `evals` evaluations rising to success, and training rows between. */
export function writeRunDir(dir: string, evals = 8): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify({ env: "PointMassPush-v0", algo: "sac", steps: evals * 1000 }));
  const lines: string[] = [];
  for (let i = 1; i <= evals; i++) {
    const success = i / evals;
    lines.push(
      JSON.stringify({
        step: i * 1000 - 200,
        episode: i * 5,
        "train/return": -200 + 150 * success,
        "train/success": success > 0.5 ? 1 : 0,
        "loss/qf": 0.1,
      }),
    );
    lines.push(JSON.stringify({ step: i * 1000, episode: i * 5, "eval/return": -200 + 180 * success, "eval/success": success }));
  }
  writeFileSync(join(dir, "metrics.jsonl"), `${lines.join("\n")}\n`);
}

/** `episodes` expert episodes of `steps` steps on PointMassPush-v0, seeds 0, 1, ... */
export function writeExpertDemoFile(path: string, episodes: number, steps: number): void {
  const env = make("PointMassPush-v0");
  const expert = new PushExpert();
  const recorded: RecordedEpisode[] = [];
  for (let e = 0; e < episodes; e++) {
    const episode = newEpisode(e);
    let { obs } = env.reset({ seed: e });
    for (let t = 0; t < steps; t++) {
      const action = expert.act(obs);
      recordStep(episode, obs, action);
      obs = env.step(action).obs;
    }
    recorded.push(episode);
  }
  env.close();
  writeDemoFile(path, buildDemoSet({ env: "PointMassPush-v0", envKwargs: {}, source: "expert" }, recorded));
}
