import type { Rng } from "./rng.js";

/** The wire form of a space (docs/architecture.md §2.4). */
export type SpaceJSON =
  | { type: "Box"; low: (number | null)[]; high: (number | null)[]; shape: number[]; dtype: "float32" | "float64" }
  | { type: "Dict"; spaces: Record<string, SpaceJSON> };

export type Space = Box | Dict;

/**
 * A box in R^n, as Gymnasium's `Box`. Bounds may be infinite; `sample` then draws from a normal
 * (unbounded) or an exponential (half-bounded), as Gymnasium does.
 */
export class Box {
  readonly type = "Box" as const;
  readonly low: Float64Array;
  readonly high: Float64Array;
  readonly shape: readonly number[];

  constructor(
    low: number | ArrayLike<number>,
    high: number | ArrayLike<number>,
    shape?: readonly number[],
    readonly dtype: "float32" | "float64" = "float64",
  ) {
    const size = shape
      ? shape.reduce((a, b) => a * b, 1)
      : typeof low === "number"
        ? typeof high === "number"
          ? 1
          : high.length
        : low.length;
    this.shape = shape ?? [size];
    this.low = broadcast(low, size, "low");
    this.high = broadcast(high, size, "high");
    for (let i = 0; i < size; i++) {
      if (Number.isNaN(this.low[i]) || Number.isNaN(this.high[i]) || this.low[i]! > this.high[i]!) {
        throw new RangeError(`Box bound ${i} is invalid: low ${this.low[i]}, high ${this.high[i]}`);
      }
    }
  }

  get size(): number {
    return this.low.length;
  }

  /** True when `x` has the right length and lies inside the bounds (NaN is never inside). */
  contains(x: unknown): boolean {
    if (!isNumberArray(x) || x.length !== this.size) return false;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (!(v >= this.low[i]! && v <= this.high[i]!)) return false;
    }
    return true;
  }

  sample(rng: Rng): Float64Array {
    const out = new Float64Array(this.size);
    for (let i = 0; i < out.length; i++) {
      const lo = this.low[i]!;
      const hi = this.high[i]!;
      if (Number.isFinite(lo) && Number.isFinite(hi)) out[i] = rng.uniform(lo, hi);
      else if (Number.isFinite(lo)) out[i] = lo - Math.log(1 - rng.random());
      else if (Number.isFinite(hi)) out[i] = hi + Math.log(1 - rng.random());
      else out[i] = rng.normal();
    }
    return out;
  }

  toJSON(): SpaceJSON {
    return {
      type: "Box",
      low: Array.from(this.low, finite),
      high: Array.from(this.high, finite),
      shape: [...this.shape],
      dtype: this.dtype,
    };
  }

  toString(): string {
    return `Box(${this.size === 1 ? this.low[0] : "low"}, ${this.size === 1 ? this.high[0] : "high"}, (${this.shape.join(", ")}${this.shape.length === 1 ? "," : ""}), ${this.dtype})`;
  }
}

/** A dictionary of named sub-spaces, as Gymnasium's `Dict`; keys keep their insertion order. */
export class Dict {
  readonly type = "Dict" as const;

  constructor(readonly spaces: Readonly<Record<string, Space>>) {}

  /** The Box under `key`: what agents size their networks from; a missing key is named with the keys there are. */
  box(key: string): Box {
    const space = this.spaces[key];
    if (space?.type !== "Box")
      throw new Error(`the observation space has no Box "${key}" (its keys: ${Object.keys(this.spaces).join(", ")})`);
    return space;
  }

  contains(x: unknown): boolean {
    if (typeof x !== "object" || x === null) return false;
    const rec = x as Record<string, unknown>;
    return Object.entries(this.spaces).every(([k, s]) => {
      return s.contains(rec[k]);
    });
  }

  sample(rng: Rng): Record<string, unknown> {
    return Object.fromEntries(Object.entries(this.spaces).map(([k, s]) => [k, s.sample(rng)]));
  }

  toJSON(): SpaceJSON {
    return { type: "Dict", spaces: Object.fromEntries(Object.entries(this.spaces).map(([k, s]) => [k, s.toJSON()])) };
  }

  toString(): string {
    return `Dict(${Object.entries(this.spaces)
      .map(([k, s]) => `${k}: ${s.toString()}`)
      .join(", ")})`;
  }
}

/** Rebuilds a space from its wire form; infinities travel as null (low: -Infinity, high: +Infinity). */
export function spaceFromJSON(json: SpaceJSON): Space {
  if (json.type === "Box") {
    const low = json.low.map((v) => (v === null ? -Infinity : v));
    const high = json.high.map((v) => (v === null ? Infinity : v));
    return new Box(low, high, json.shape, json.dtype);
  }
  return new Dict(Object.fromEntries(Object.entries(json.spaces).map(([k, s]) => [k, spaceFromJSON(s)])));
}

function broadcast(v: number | ArrayLike<number>, size: number, name: string): Float64Array {
  if (typeof v === "number") return new Float64Array(size).fill(v);
  if (v.length !== size) throw new RangeError(`Box ${name} has length ${v.length}, expected ${size}`);
  return Float64Array.from(v);
}

/** JSON has no Infinity: send null, as `spaceFromJSON` expects. */
function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function isNumberArray(v: unknown): v is ArrayLike<number> {
  return v instanceof Float64Array || v instanceof Float32Array || (Array.isArray(v) && v.every((e) => typeof e === "number"));
}
