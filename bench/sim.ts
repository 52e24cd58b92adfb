/**
 * `rapier-gym bench sim`: per env, env steps/s on one thread, the env's overhead over the bare
 * Rapier world.step of the same substeps, and the speed-up of a vector env on 2 worker threads.
 * Both sides of every ratio are measured in this run.
 */
import { envIds, make, Rng } from "../sim/index.js";
import type { PhysicsWorld } from "../sim/physics/world.js";
import { WorkerVectorEnv } from "../sim/vector/worker-vector-env.js";
import type { BenchResult } from "./bench-result.js";

const STEPS = 4000;
const VECTOR_ENVS = 8;
const ROUNDS = 3;

/** The bare envs (PointMassEnv, PandaEnv) expose the world they step, for the physical floor. */
interface SteppedWorld {
  world: PhysicsWorld;
}

/**
 * The arm's 20 ids share three costs: no object (Reach), one (Push; Slide and PickAndPlace are
 * alike) and two (Stack); ee and joints control differ only by the IK inside the step.
 */
const PANDA_BENCH_IDS = ["PandaReach-v0", "PandaPush-v0", "PandaPushJoints-v0", "PandaStack-v0"];

/** Every PointMass id and the representative arm ids. */
export function simBenchIds(): string[] {
  return [...envIds().filter((id) => !id.startsWith("Panda")), ...PANDA_BENCH_IDS];
}

/** Steps the env with seeded random actions for `steps` steps; returns the seconds it took. */
function timeSteps(id: string, steps: number, instrument?: (env: SteppedWorld) => void): { seconds: number } {
  const env = make(id);
  const bare = env.unwrapped as unknown as SteppedWorld;
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
  return { seconds };
}

/** Best of `rounds`: the machine's other load only ever slows a round down. */
function best(rounds: number, measure: () => number): number {
  return Math.max(...Array.from({ length: rounds }, measure));
}

async function vectorStepsPerSec(id: string): Promise<number> {
  const vec = await WorkerVectorEnv.create(id, VECTOR_ENVS, { numWorkers: 2 });
  try {
    const rng = new Rng(1);
    const actions = Float64Array.from({ length: VECTOR_ENVS * vec.singleActionSpace.size }, () => rng.uniform(-1, 1));
    vec.reset({ seed: 0 });
    for (let t = 0; t < 100; t++) vec.step(actions);
    const steps = Math.ceil(STEPS / VECTOR_ENVS);
    return best(ROUNDS, () => {
      const t0 = performance.now();
      for (let t = 0; t < steps; t++) vec.step(actions);
      return (steps * VECTOR_ENVS) / ((performance.now() - t0) / 1000);
    });
  } finally {
    await vec.close();
  }
}

export async function benchSim(ids: string[] = simBenchIds()): Promise<BenchResult> {
  const results: BenchResult["results"] = [];
  for (const id of ids) {
    timeSteps(id, 500); // warm-up: JIT and the WASM module
    const stepsPerSec = best(ROUNDS, () => STEPS / timeSteps(id, STEPS).seconds);

    // The same work again, timing each world.step call: the physical floor inside env.step.
    const physicsOverhead = Math.min(
      ...Array.from({ length: ROUNDS }, () => {
        let physicsSeconds = 0;
        const { seconds } = timeSteps(id, STEPS, (env) => {
          const world = env.world;
          const step = world.step.bind(world);
          world.step = (substeps: number) => {
            const t0 = performance.now();
            step(substeps);
            physicsSeconds += (performance.now() - t0) / 1000;
          };
        });
        return seconds / physicsSeconds;
      }),
    );

    const vector = await vectorStepsPerSec(id);
    results.push({ env: id, stepsPerSec, physicsOverhead, vectorStepsPerSec: vector, workerSpeedup: vector / stepsPerSec });
  }
  return { suite: "sim", results };
}
