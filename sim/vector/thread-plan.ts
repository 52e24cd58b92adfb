/**
 * How many threads a WorkerVectorEnv steps its envs on, which env each steps, and whether they
 * poll for each other. Thread 0 is the calling thread, which steps a share of the envs itself
 * instead of idling at the barrier that ends every vector step; threads 1.. are workers.
 */
import os from "node:os";

/**
 * The threads `numEnvs` envs run on, this one included: the request, bounded by the cores so
 * that the pool never competes with itself, and by the envs.
 */
export function maxThreads(numEnvs: number, requested: number | undefined, cores: number = os.availableParallelism()): number {
  return Math.max(1, Math.min(numEnvs, cores, requested ?? cores));
}

/**
 * Env i's thread when `threads` threads share `numEnvs` envs: contiguous slices as even as they
 * go, the calling thread (0), which also copies every result out, taking the first and smallest.
 */
export function assignEnvs(numEnvs: number, threads: number): Int32Array {
  const owner = new Int32Array(numEnvs);
  for (let t = 0; t < threads; t++) owner.fill(t, Math.floor((t * numEnvs) / threads), Math.floor(((t + 1) * numEnvs) / threads));
  return owner;
}

/**
 * How long the threads poll for each other before sleeping (see waitWhile): `maxMs` while the
 * 1-minute load average, in which this pool's own busy threads count, stays within the cores
 * (+ 0.5 of slack), else 0. When other processes want the cores, a polling thread spends CPU
 * time the scheduler would have given this pool's other thread, and sleeping hands off better.
 */
export function spinBudget(maxMs: number, cores: number = os.availableParallelism(), load: number = os.loadavg()[0]!): number {
  return load < cores + 0.5 ? maxMs : 0;
}
