/**
 * The storage under the HER buffer: whole episodes in a ring of transitions.
 *
 * - Each env stream fills a staging area; the episode enters the ring only when it ends, so
 *   nothing is ever sampled from an unfinished episode, and vector envs (one stream per env) never
 *   interleave inside an episode.
 * - The ring holds `capacity` transitions. The stored transitions are one contiguous arc, oldest
 *   episode first; making room drops the oldest episodes whole, never half of one.
 */
import type { PackedArray } from "./array-pack.js";
import type { HerTransition } from "./her-replay-buffer.js";

/** Per-step rows of one layout, shared by the ring and the staging areas. */
export interface Rows {
  observation: Float32Array;
  nextObservation: Float32Array;
  desiredGoal: Float32Array;
  nextAchievedGoal: Float32Array;
  action: Float32Array;
  relabelAction: Float32Array;
  reward: Float32Array;
  terminated: Uint8Array;
}

type RowField = keyof Rows;

const ROW_FIELDS: readonly RowField[] = [
  "observation",
  "nextObservation",
  "desiredGoal",
  "nextAchievedGoal",
  "action",
  "relabelAction",
  "reward",
  "terminated",
];

/** The widths of a transition's parts. */
export interface RowDims {
  observationDim: number;
  goalDim: number;
  actionDim: number;
}

export class EpisodeRing {
  /** The ring's rows; ring row `idx` is transition `idx` of the arc's layout. */
  readonly rows: Rows;
  /** Index of each stored transition inside its episode, and that episode's length. */
  readonly episodeOffset: Int32Array;
  readonly episodeLength: Int32Array;
  /** Next ring slot to write; the stored arc ends just before it. */
  private pos = 0;
  /** Transitions in the stored arc. */
  private validCount = 0;

  private readonly staging: Rows[];
  private readonly stagedCount: number[];

  constructor(
    readonly capacity: number,
    private readonly dims: RowDims,
    readonly numEnvs: number,
  ) {
    this.rows = this.allocRows(capacity);
    this.episodeOffset = new Int32Array(capacity);
    this.episodeLength = new Int32Array(capacity);
    this.staging = Array.from({ length: numEnvs }, () => this.allocRows(64));
    this.stagedCount = new Array<number>(numEnvs).fill(0);
  }

  /** Transitions of finished episodes. */
  get size(): number {
    return this.validCount;
  }

  /** Ring row of the oldest stored transition. */
  get oldest(): number {
    return (this.pos - this.validCount + this.capacity) % this.capacity;
  }

  /** Steps of each env's unfinished episode. */
  get staged(): number[] {
    return [...this.stagedCount];
  }

  /** Steps of env `env`'s unfinished episode, held back from sampling until it ends. */
  unfinishedSteps(env: number): number {
    return this.stagedCount[this.checkEnv(env)]!;
  }

  /** Stages one step of env `env`; the episode enters the ring when the step ends it. */
  add(t: HerTransition, env: number): void {
    this.checkEnv(env);
    const { observationDim, goalDim, actionDim } = this.dims;
    expectLength("observation", t.observation, observationDim);
    expectLength("nextObservation", t.nextObservation, observationDim);
    expectLength("desiredGoal", t.desiredGoal, goalDim);
    expectLength("nextAchievedGoal", t.nextAchievedGoal, goalDim);
    expectLength("action", t.action, actionDim);
    if (t.relabelAction !== undefined) expectLength("relabelAction", t.relabelAction, actionDim);
    let n = this.stagedCount[env]!;
    if (n === this.capacity) throw new RangeError(`an episode longer than the buffer's capacity (${this.capacity}) cannot be stored whole`);
    if (n === this.staging[env]!.reward.length) this.staging[env] = this.growRows(this.staging[env]!, Math.min(2 * n, this.capacity));
    const s = this.staging[env]!;
    s.observation.set(t.observation, n * observationDim);
    s.nextObservation.set(t.nextObservation, n * observationDim);
    s.desiredGoal.set(t.desiredGoal, n * goalDim);
    s.nextAchievedGoal.set(t.nextAchievedGoal, n * goalDim);
    s.action.set(t.action, n * actionDim);
    s.relabelAction.set(t.relabelAction ?? t.action, n * actionDim);
    s.reward[n] = t.reward;
    // `truncated` ends the episode but is never the done flag: a time-limit cut bootstraps.
    s.terminated[n] = t.terminated ? 1 : 0;
    this.stagedCount[env] = ++n;
    if (t.terminated || t.truncated) this.commitEpisode(env);
  }

  /**
   * The stored episodes (oldest first, so a restored ring holds only what it uses) and the
   * unfinished ones, as named arrays.
   */
  toArrays(): Record<string, PackedArray> {
    const cap = this.capacity;
    const oldest = this.oldest;
    const arrays: Record<string, PackedArray> = {};
    for (const field of ROW_FIELDS) {
      const width = this.rows[field].length / cap;
      arrays[`ring.${field}`] = readArc(this.rows[field], oldest, this.validCount, cap, width);
    }
    arrays["ring.episodeOffset"] = readArc(this.episodeOffset, oldest, this.validCount, cap, 1);
    arrays["ring.episodeLength"] = readArc(this.episodeLength, oldest, this.validCount, cap, 1);
    this.staging.forEach((rows, env) => {
      const n = this.stagedCount[env]!;
      for (const field of ROW_FIELDS) {
        const width = rows[field].length / rows.reward.length;
        arrays[`staging${env}.${field}`] = rows[field].slice(0, n * width);
      }
    });
    return arrays;
  }

  /** Fills an empty ring with what {@link toArrays} wrote: `size` stored transitions and `staged` steps per env. */
  restore(size: number, staged: readonly number[], get: (name: string) => PackedArray): void {
    for (const field of ROW_FIELDS) this.rows[field].set(get(`ring.${field}`));
    this.episodeOffset.set(get("ring.episodeOffset"));
    this.episodeLength.set(get("ring.episodeLength"));
    this.validCount = size;
    this.pos = size % this.capacity;
    staged.forEach((count, env) => {
      let rows = this.staging[env]!;
      if (count > rows.reward.length) rows = this.staging[env] = this.growRows(rows, count);
      for (const field of ROW_FIELDS) rows[field].set(get(`staging${env}.${field}`));
      this.stagedCount[env] = count;
    });
  }

  /** Moves env `env`'s finished episode into the ring, dropping the oldest episodes to fit. */
  private commitEpisode(env: number): void {
    const n = this.stagedCount[env]!;
    const cap = this.capacity;
    while (this.validCount + n > cap) this.validCount -= this.episodeLength[this.oldest]!;
    const s = this.staging[env]!;
    for (const field of ROW_FIELDS) {
      const width = this.rows[field].length / cap;
      writeArc(this.rows[field], this.pos, s[field].subarray(0, n * width), cap, width);
    }
    for (let t = 0; t < n; t++) {
      const idx = (this.pos + t) % cap;
      this.episodeOffset[idx] = t;
      this.episodeLength[idx] = n;
    }
    this.pos = (this.pos + n) % cap;
    this.validCount += n;
    this.stagedCount[env] = 0;
  }

  private allocRows(rows: number): Rows {
    const { observationDim, goalDim, actionDim } = this.dims;
    return {
      observation: new Float32Array(rows * observationDim),
      nextObservation: new Float32Array(rows * observationDim),
      desiredGoal: new Float32Array(rows * goalDim),
      nextAchievedGoal: new Float32Array(rows * goalDim),
      action: new Float32Array(rows * actionDim),
      relabelAction: new Float32Array(rows * actionDim),
      reward: new Float32Array(rows),
      terminated: new Uint8Array(rows),
    };
  }

  private growRows(old: Rows, rows: number): Rows {
    const grown = this.allocRows(rows);
    for (const field of ROW_FIELDS) grown[field].set(old[field]);
    return grown;
  }

  private checkEnv(env: number): number {
    if (!Number.isInteger(env) || env < 0 || env >= this.numEnvs) throw new RangeError(`env index ${env} is outside [0, ${this.numEnvs})`);
    return env;
  }
}

function expectLength(name: string, v: ArrayLike<number>, n: number): void {
  if (v.length !== n) throw new RangeError(`${name} has length ${v.length}, expected ${n}`);
}

/** Rows [start, start + count) of a ring of `cap` rows, unwrapped into one array. */
function readArc<T extends Float32Array | Int32Array | Uint8Array>(ring: T, start: number, count: number, cap: number, width: number): T {
  const first = Math.min(count, cap - start);
  const out = ring.slice(0, count * width) as T;
  out.set(ring.subarray(start * width, (start + first) * width));
  out.set(ring.subarray(0, (count - first) * width), first * width);
  return out;
}

/** Writes `rows` into a ring of `cap` rows from row `start`, wrapping at the end. */
function writeArc(ring: Float32Array | Uint8Array, start: number, rows: Float32Array | Uint8Array, cap: number, width: number): void {
  const count = rows.length / width;
  const first = Math.min(count, cap - start);
  ring.set(rows.subarray(0, first * width), start * width);
  ring.set(rows.subarray(first * width), 0);
}
