/**
 * `rapier-gym bench sim`: per env, env steps/s on one thread, the env's overhead over the bare
 * Rapier world.step of the same substeps, and the speed-up of a vector env on 2 threads (this
 * one and a worker). Both sides of every ratio are measured in this run, on the same workload.
 */
import { envIds, make, Rng, type Box } from "../sim/index.js";
import type { PhysicsWorld } from "../sim/physics/world.js";
import { WorkerVectorEnv } from "../sim/vector/worker-vector-env.js";
import type { BenchResult } from "./bench-result.js";

const STEPS = 4000;
const VECTOR_ENVS = 8;
const ROUNDS = 3;
/**
 * Vector steps before the timed rounds. Each worker is a new V8 isolate with its own copy of
 * Rapier's WASM, which starts in the baseline compiler and tiers up as it runs: measured here,
 * 8 envs on 2 threads stepped at about 1.1× one warm thread for their first 125 steps and at
 * 1.6-1.9× after 600. The one-thread side is warm too (its warm-up, and the rounds before it).
 */
const VECTOR_WARMUP_STEPS = 1000;

/** The bare env (RobotTaskEnv) exposes the world it steps, for the physical floor. */
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

/**
 * The 256 seeded random actions every measurement cycles through. The workload must be the same
 * on both sides of a ratio: a point mass held on one action jams against a wall, and in the
 * maze those contacts make a step ~1.5× dearer than a random walk's.
 */
function benchActions(space: Box): Float64Array[] {
  const rng = new Rng(0);
  return Array.from({ length: 256 }, () => space.sample(rng));
}

/** Steps the env with seeded random actions for `steps` steps; returns the seconds it took. */
function timeSteps(id: string, steps: number, instrument?: (env: SteppedWorld) => void): { seconds: number } {
  const env = make(id);
  const bare = env.unwrapped as unknown as SteppedWorld;
  instrument?.(bare);
  const actions = benchActions(env.actionSpace);
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

/** Env i's row at step t is the single env's action t + 32i: the same random walk, staggered. */
function vectorActions(space: Box): Float64Array[] {
  const actions = benchActions(space);
  const actDim = space.size;
  return actions.map((_, t) => {
    const batch = new Float64Array(VECTOR_ENVS * actDim);
    for (let i = 0; i < VECTOR_ENVS; i++) batch.set(actions[(t + 32 * i) & 255]!, i * actDim);
    return batch;
  });
}

async function vectorStepsPerSec(id: string): Promise<number> {
  const vec = await WorkerVectorEnv.create(id, VECTOR_ENVS, { numThreads: 2 });
  try {
    const batches = vectorActions(vec.singleActionSpace);
    vec.reset({ seed: 0 });
    for (let t = 0; t < VECTOR_WARMUP_STEPS; t++) vec.step(batches[t & 255]!);
    const steps = Math.ceil(STEPS / VECTOR_ENVS);
    return best(ROUNDS, () => {
      const t0 = performance.now();
      for (let t = 0; t < steps; t++) vec.step(batches[t & 255]!);
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
