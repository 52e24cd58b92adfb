/**
 * A set of named typed arrays plus a small JSON header, packed into one byte string.
 *
 * Replay buffers hold hundreds of megabytes of float32 data; JSON would multiply that and lose
 * bits, so checkpoints carry the arrays raw. Layout: the magic "RGPK", a uint32 header length, the
 * header as UTF-8 JSON (the caller's `meta` plus a table of arrays), zero padding to 8 bytes, then
 * each array's bytes, each padded to 8. Typed arrays are platform-endian: every platform Node
 * ships for is little-endian, and unpacking refuses anything else.
 */
import { z } from "zod";

export type PackedArray = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;

const MAGIC = 0x4b504752; // "RGPK" read as a little-endian uint32

const DTYPES = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  uint32: Uint32Array,
  uint8: Uint8Array,
} as const;

type DType = keyof typeof DTYPES;

const headerSchema = z.object({
  meta: z.unknown(),
  arrays: z.array(
    z.object({
      name: z.string(),
      dtype: z.enum(["float32", "float64", "int32", "uint32", "uint8"]),
      length: z.number().int().nonnegative(),
      offset: z.number().int().nonnegative(),
    }),
  ),
});

export interface Unpacked {
  meta: unknown;
  arrays: Map<string, PackedArray>;
}

function dtypeOf(a: PackedArray): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Uint32Array) return "uint32";
  return "uint8";
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

/** Packs `arrays` (in insertion order) and `meta` (anything JSON can hold) into bytes. */
export function packArrays(meta: unknown, arrays: Readonly<Record<string, PackedArray>>): Uint8Array {
  let offset = 0;
  const table = Object.entries(arrays).map(([name, a]) => {
    const entry = { name, dtype: dtypeOf(a), length: a.length, offset };
    offset += align8(a.byteLength);
    return entry;
  });
  const header = new TextEncoder().encode(JSON.stringify({ meta, arrays: table }));
  const dataStart = align8(8 + header.length);
  const out = new Uint8Array(dataStart + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, header.length, true);
  out.set(header, 8);
  for (const entry of table) {
    const a = arrays[entry.name]!;
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), dataStart + entry.offset);
  }
  return out;
}

/** The inverse of {@link packArrays}; the arrays are fresh copies, independent of `bytes`. */
export function unpackArrays(bytes: Uint8Array): Unpacked {
  if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error("array packs need a little-endian platform");
  if (bytes.length < 8) throw new Error("array pack is truncated: no header");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new Error("not an array pack: bad magic");
  const headerLength = view.getUint32(4, true);
  if (8 + headerLength > bytes.length) throw new Error("array pack is truncated: header cut short");
  const header = headerSchema.parse(JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))));
  const dataStart = align8(8 + headerLength);
  const arrays = new Map<string, PackedArray>();
  for (const { name, dtype, length, offset } of header.arrays) {
    const Ctor = DTYPES[dtype];
    const start = dataStart + offset;
    const end = start + length * Ctor.BYTES_PER_ELEMENT;
    if (end > bytes.length) throw new Error(`array pack is truncated: array "${name}" cut short`);
    // Copy into a fresh, aligned ArrayBuffer, whatever the alignment of `bytes`. Not `slice()`:
    // on a Node Buffer (what readFileSync returns) it is a view of the shared pool, not a copy.
    arrays.set(name, new Ctor(new Uint8Array(bytes.subarray(start, end)).buffer));
  }
  return { meta: header.meta, arrays };
}
