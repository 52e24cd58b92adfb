/**
 * How many threads a WorkerVectorEnv may use, which env each steps, whether they poll for each
 * other, and how many of them should step envs now (ThreadTuner). Thread 0 is the calling
 * thread, which steps a share of the envs itself instead of idling at the barrier that ends
 * every vector step; threads 1.. are workers.
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

export interface ThreadTunerOptions {
  /** Milliseconds of stepping on the settled count before the first trial, and after a switch. @defaultValue 500 */
  firstTrialMs: number;
  /** The longest wait between trials: each lost trial doubles the wait up to it. @defaultValue 30000 */
  maxTrialGapMs: number;
  /** A trial alternates the two counts in slots of at least this many milliseconds... @defaultValue 100 */
  slotMs: number;
  /** ...and this many vector steps. @defaultValue 5 */
  slotSteps: number;
  /** Slots per count in a trial. @defaultValue 3 */
  slotsPerSide: number;
  /** The candidate must step faster by this fraction to be kept. @defaultValue 0.05 */
  margin: number;
}

const TUNER_DEFAULTS: ThreadTunerOptions = { firstTrialMs: 500, maxTrialGapMs: 30_000, slotMs: 100, slotSteps: 5, slotsPerSide: 3, margin: 0.05 };

interface Trial {
  home: number;
  candidate: number;
  slots: number;
  /** Milliseconds and vector steps on the candidate [0] and on the home count [1]. */
  ms: [number, number];
  steps: [number, number];
}

/**
 * Tunes the number of threads stepping envs on measured step times. Whether a second thread
 * pays depends on who else runs: the scheduler shares the CPU between sessions, so beside one
 * busy process two threads get the one core a single thread would have had, plus a barrier per
 * step, while beside two they get two thirds of the machine instead of half. Every so often a
 * trial alternates one thread fewer or more (in turn) with the current count, slot by slot so
 * that both see the same load, and keeps the faster by a margin; lost trials come ever more
 * rarely. Pure bookkeeping: the caller times its steps and moves the envs.
 */
export class ThreadTuner {
  private readonly o: ThreadTunerOptions;
  private count: number;
  private trial: Trial | null = null;
  private gapMs: number;
  /** Stepping time since the last trial, or in the trial slot being measured. */
  private elapsedMs = 0;
  private slotStepCount = 0;
  private nextDirection: 1 | -1 = -1;

  constructor(
    readonly max: number,
    start: number = max,
    options: Partial<ThreadTunerOptions> = {},
  ) {
    this.o = { ...TUNER_DEFAULTS, ...options };
    this.count = Math.max(1, Math.min(max, start));
    this.gapMs = this.o.firstTrialMs;
  }

  /** The thread count the env should run on now. */
  get threads(): number {
    return this.count;
  }

  /** Records one vector step of `ms`; returns the count to move to now, or null to stay. */
  record(ms: number): number | null {
    if (this.max === 1) return null;
    this.elapsedMs += ms;
    this.slotStepCount++;
    if (this.trial === null) return this.elapsedMs < this.gapMs ? null : this.startTrial();
    if (this.elapsedMs < this.o.slotMs || this.slotStepCount < this.o.slotSteps) return null;
    return this.endSlot(this.trial);
  }

  private startTrial(): number | null {
    this.elapsedMs = 0;
    this.slotStepCount = 0;
    const candidate = this.candidate();
    if (candidate === null) return null;
    this.trial = { home: this.count, candidate, slots: 0, ms: [0, 0], steps: [0, 0] };
    this.count = candidate;
    return candidate;
  }

  /** One thread fewer or more, in turn, within 1..max. */
  private candidate(): number | null {
    for (let tries = 0; tries < 2; tries++) {
      const candidate = this.count + this.nextDirection;
      this.nextDirection = this.nextDirection === 1 ? -1 : 1;
      if (candidate >= 1 && candidate <= this.max) return candidate;
    }
    return null;
  }

  /** Books the slot to its side; switches sides, or ends the trial after the last slot (a home one). */
  private endSlot(trial: Trial): number | null {
    const side = this.count === trial.candidate ? 0 : 1;
    trial.ms[side] += this.elapsedMs;
    trial.steps[side] += this.slotStepCount;
    this.elapsedMs = 0;
    this.slotStepCount = 0;
    if (++trial.slots < 2 * this.o.slotsPerSide) {
      this.count = side === 0 ? trial.home : trial.candidate;
      return this.count;
    }
    this.trial = null;
    const won = trial.ms[0] / trial.steps[0] < (trial.ms[1] / trial.steps[1]) * (1 - this.o.margin);
    if (!won) {
      this.gapMs = Math.min(this.o.maxTrialGapMs, this.gapMs * 2);
      return null;
    }
    // Keep the candidate, and try the same direction again soon.
    this.gapMs = this.o.firstTrialMs;
    this.nextDirection = trial.candidate > trial.home ? 1 : -1;
    this.count = trial.candidate;
    return this.count;
  }
}
