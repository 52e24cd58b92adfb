import { make } from "../sim/index.js";
import { PushExpert } from "../agents/experts/push-expert.js";
import { ProgressBar } from "../agents/train/progress-bar.js";

/**
 * `rapier-gym demo` (what `npm start` runs until the viewer lands): the scripted expert on a
 * PointMass env, with a progress line, then its success rate.
 */
export function runDemo(id: string, episodes: number, seed: number): number {
  const env = make(id);
  const expert = new PushExpert();
  const bar = new ProgressBar({ total: episodes, label: `expert on ${id}` });
  let successes = 0;
  let returns = 0;
  for (let ep = 0; ep < episodes; ep++) {
    let { obs } = env.reset({ seed: seed + ep });
    let episodeReturn = 0;
    for (;;) {
      const r = env.step(expert.act(obs));
      obs = r.obs;
      episodeReturn += r.reward;
      if (r.terminated || r.truncated) {
        if (r.info.is_success) successes++;
        break;
      }
    }
    returns += episodeReturn;
    bar.update(ep + 1, { return: returns / (ep + 1), success: successes / (ep + 1) });
  }
  bar.finish();
  env.close();
  console.log(`${id}: scripted expert succeeded in ${successes}/${episodes} episodes (${((100 * successes) / episodes).toFixed(1)}%), mean return ${(returns / episodes).toFixed(1)}`);
  return 0;
}
