/**
 * Demonstration files (`*.demos`): a {@link DemoSet} in the project's array pack
 * (agents/buffers/array-pack.ts: magic, JSON header, raw little-endian arrays), written
 * atomically. The header's `meta` names the format, the env, the source, the seeds, the episode
 * lengths and the shapes, and carries a CRC-32 of the array bytes, so a truncated or damaged file
 * is refused with the reason instead of feeding garbage to training. Layout: ./README.md.
 */
import { readFileSync } from "node:fs";
import { crc32 } from "node:zlib";
import { z } from "zod";
import { packArrays, unpackArrays } from "../buffers/array-pack.js";
import { writeFileAtomic } from "../run/atomic-write.js";
import { DEMO_KEYS, type DemoKey, type DemoSet } from "./demo-set.js";
import { ConfigError } from "../config-error.js";

export const DEMO_FORMAT = "rapier-gym-demos/1";

const dimsSchema = z
  .object(Object.fromEntries(DEMO_KEYS.map((k) => [k, z.number().int().positive()])) as Record<DemoKey, z.ZodNumber>)
  .strict();

const metaSchema = z
  .object({
    format: z.literal(DEMO_FORMAT),
    env: z.string(),
    envKwargs: z.record(z.string(), z.unknown()),
    source: z.string(),
    seeds: z.array(z.number().int()),
    episodeLengths: z.array(z.number().int().positive()),
    horizon: z.number().int().positive(),
    dims: dimsSchema,
    crc32: z.number().int().nonnegative(),
  })
  .strict();

type DemoFileMeta = z.infer<typeof metaSchema>;

/** CRC-32 over every array's bytes, in {@link DEMO_KEYS} order. */
function checksum(data: Record<DemoKey, Float32Array>): number {
  let crc = 0;
  for (const key of DEMO_KEYS) {
    const a = data[key];
    crc = crc32(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), crc);
  }
  return crc;
}

/** The bytes of a demo file. */
export function encodeDemoSet(set: DemoSet): Uint8Array {
  const meta: DemoFileMeta = {
    format: DEMO_FORMAT,
    env: set.env,
    envKwargs: set.envKwargs,
    source: set.source,
    seeds: set.seeds,
    episodeLengths: set.episodeLengths,
    horizon: set.horizon,
    dims: set.dims,
    crc32: checksum(set.data),
  };
  return packArrays(meta, set.data);
}

/** Reads a demo file's bytes; `where` names the file in errors. */
export function decodeDemoSet(bytes: Uint8Array, where: string): DemoSet {
  let unpacked;
  try {
    unpacked = unpackArrays(bytes);
  } catch (e) {
    throw new ConfigError(`${where} is not a readable demo file: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = metaSchema.safeParse(unpacked.meta);
  if (!parsed.success) {
    throw new ConfigError(
      `${where} is not a ${DEMO_FORMAT} file: ${parsed.error.issues.map((i) => `${i.path.join(".") || "meta"}: ${i.message}`).join("; ")}`,
    );
  }
  const meta = parsed.data;
  const episodes = meta.episodeLengths.length;
  if (meta.seeds.length !== episodes) throw new ConfigError(`${where}: ${meta.seeds.length} seeds for ${episodes} episodes`);
  const tooLong = meta.episodeLengths.findIndex((l) => l > meta.horizon);
  if (tooLong >= 0)
    throw new ConfigError(`${where}: episode ${tooLong} has length ${meta.episodeLengths[tooLong]}, beyond the horizon ${meta.horizon}`);
  const data = {} as Record<DemoKey, Float32Array>;
  for (const key of DEMO_KEYS) {
    const a = unpacked.arrays.get(key);
    if (!(a instanceof Float32Array)) throw new ConfigError(`${where}: array "${key}" is missing or not float32`);
    const expected = episodes * meta.horizon * meta.dims[key];
    if (a.length !== expected)
      throw new ConfigError(
        `${where}: array "${key}" has ${a.length} values, expected ${episodes}×${meta.horizon}×${meta.dims[key]} = ${expected}`,
      );
    data[key] = a;
  }
  if (checksum(data) !== meta.crc32) throw new ConfigError(`${where} is damaged: its arrays do not match their CRC-32`);
  return {
    env: meta.env,
    envKwargs: meta.envKwargs,
    source: meta.source,
    seeds: meta.seeds,
    episodeLengths: meta.episodeLengths,
    horizon: meta.horizon,
    dims: meta.dims,
    data,
  };
}

/** Writes `set` to `path` atomically (a kill leaves the old file or the new one). */
export function writeDemoFile(path: string, set: DemoSet): void {
  writeFileAtomic(path, encodeDemoSet(set));
}

export function readDemoFile(path: string): DemoSet {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new ConfigError(`cannot read demo file ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return decodeDemoSet(bytes, path);
}
