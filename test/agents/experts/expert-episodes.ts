import { make, type GoalObs } from "../../../sim/index.js";

/**
 * Runs `act` for one full episode per seed 0..episodes-1 on `id`; returns the seeds not solved
 * at the last step (what the expert tests count).
 */
export function failingSeeds(id: string, episodes: number, act: (obs: GoalObs) => ArrayLike<number>): number[] {
  const env = make(id);
  const failures: number[] = [];
  for (let seed = 0; seed < episodes; seed++) {
    let { obs } = env.reset({ seed });
    let success = false;
    for (let done = false; !done;) {
      const r = env.step(act(obs));
      obs = r.obs;
      success = r.info.is_success === true;
      done = r.terminated || r.truncated;
    }
    if (!success) failures.push(seed);
  }
  env.close();
  return failures;
}
