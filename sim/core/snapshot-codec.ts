/**
 * The byte layout of env snapshots: a JSON header (small state: counters, goals, generator) and
 * an opaque body (Rapier's world snapshot, or the snapshot of the env a wrapper wraps).
 * Layout: magic "RGS1", uint32 header length, header UTF-8, body.
 */
import { EnvError } from "./env.js";

const MAGIC = 0x31534752; // "RGS1" little-endian

export function packSnapshot(header: object, body: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, json.length, true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

export function unpackSnapshot(bytes: Uint8Array): { header: Record<string, unknown>; body: Uint8Array } {
  if (!(bytes instanceof Uint8Array) || bytes.length < 8)
    throw new EnvError("BAD_SNAPSHOT", "snapshot is not a byte array of at least 8 bytes");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new EnvError("BAD_SNAPSHOT", "snapshot does not start with the rapier-gym magic bytes");
  const len = view.getUint32(4, true);
  if (8 + len > bytes.length) throw new EnvError("BAD_SNAPSHOT", `snapshot header claims ${len} bytes but only ${bytes.length - 8} follow`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len)));
  } catch {
    throw new EnvError("BAD_SNAPSHOT", "snapshot header is not valid JSON");
  }
  if (typeof header !== "object" || header === null) throw new EnvError("BAD_SNAPSHOT", "snapshot header is not an object");
  return { header: header as Record<string, unknown>, body: bytes.subarray(8 + len) };
}

/** The small state a goal env snapshots beside its Rapier world: counters, goal, generator. */
export interface EnvSnapshotState {
  elapsedSteps: number;
  needsReset: boolean;
  goal: number[];
  rng: number[];
}

export function packEnvSnapshot(env: string, state: EnvSnapshotState, world: Uint8Array): Uint8Array {
  return packSnapshot({ env, ...state }, world);
}

/** Unpacks and checks a snapshot taken by the env `env` whose goals have `goalDim` numbers. */
export function unpackEnvSnapshot(bytes: Uint8Array, env: string, goalDim: number): { state: EnvSnapshotState; world: Uint8Array } {
  const { header, body } = unpackSnapshot(bytes);
  const goal = header["goal"];
  if (header["env"] !== env) throw new EnvError("BAD_SNAPSHOT", `snapshot is of ${String(header["env"])}, not ${env}`);
  if (!Array.isArray(goal) || goal.length !== goalDim || !goal.every((v) => typeof v === "number")) {
    throw new EnvError("BAD_SNAPSHOT", `snapshot goal must be ${goalDim} numbers`);
  }
  const rng = header["rng"];
  if (!Array.isArray(rng)) throw new EnvError("BAD_SNAPSHOT", "snapshot has no generator state");
  return {
    state: {
      elapsedSteps: Number(header["elapsedSteps"]),
      needsReset: header["needsReset"] === true,
      goal: goal as number[],
      rng: rng as number[],
    },
    world: body,
  };
}
