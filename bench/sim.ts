/**
 * `rapier-gym bench sim`: per env, env steps/s on one thread, the env's overhead over the bare
 * Rapier world.step of the same substeps, and the speed-up of a vector env on 2 worker threads.
 * Both sides of every ratio are measured in this run.
 */
import { envIds, make, Rng } from "../sim/index.js";
import type { PointMassEnv } from "../sim/point-mass-env.js";
import { WorkerVectorEnv } from "../sim/vector/worker-vector-env.js";
import type { BenchResult } from "./bench-result.js";

const STEPS = 4000;
const VECTOR_ENVS = 8;

/** Steps the env with seeded random actions for `steps` steps; returns the seconds it took. */
function timeSteps(id: string, steps: number, instrument?: (env: PointMassEnv) => void): { seconds: number; env: PointMassEnv } {
  const env = make(id);
  const bare = env.unwrapped as PointMassEnv;
  instrument?.(bare);
  const rng = new Rng(0);
  const actions = Array.from({ length: 256 }, () => env.actionSpace.sample(rng));
  env.reset({ seed: 0 });
  const t0 = performance.now();
  for (let t = 0; t < steps; t++) {
    const r = env.step(actions[t & 255]!);
    if (r.truncated || r.terminated) env.reset();
  }
  const seconds = (performance.now() - t0) / 1000;
  env.close();
  return { seconds, env: bare };
}

export async function benchSim(ids: string[] = envIds()): Promise<BenchResult> {
  const results: BenchResult["results"] = [];
  for (const id of ids) {
    timeSteps(id, 500); // warm-up: JIT and the WASM module
    const plain = timeSteps(id, STEPS);
    const stepsPerSec = STEPS / plain.seconds;

    // The same run again, timing each world.step call: the physical floor inside env.step.
    let physicsSeconds = 0;
    const timed = timeSteps(id, STEPS, (env) => {
      const world = env.world;
      const step = world.step.bind(world);
      world.step = (substeps: number) => {
        const t0 = performance.now();
        step(substeps);
        physicsSeconds += (performance.now() - t0) / 1000;
      };
    });

    const vec = await WorkerVectorEnv.create(id, VECTOR_ENVS, { numWorkers: 2 });
    const rng = new Rng(1);
    const actions = Float64Array.from({ length: VECTOR_ENVS * vec.singleActionSpace.size }, () => rng.uniform(-1, 1));
    vec.reset({ seed: 0 });
    for (let t = 0; t < 50; t++) vec.step(actions);
    const vecSteps = Math.ceil(STEPS / VECTOR_ENVS);
    const t0 = performance.now();
    for (let t = 0; t < vecSteps; t++) vec.step(actions);
    const vectorStepsPerSec = (vecSteps * VECTOR_ENVS) / ((performance.now() - t0) / 1000);
    await vec.close();

    results.push({
      env: id,
      stepsPerSec,
      physicsOverhead: timed.seconds / physicsSeconds,
      vectorStepsPerSec,
      workerSpeedup: vectorStepsPerSec / stepsPerSec,
    });
  }
  return { suite: "sim", results };
}
