/** A SAC agent's whole state as one byte blob, for checkpoints (array-pack format). */
import { packArrays, unpackArrays } from "../buffers/array-pack.js";
import type { SacState } from "./sac.js";

export function sacStateToBytes(s: SacState): Uint8Array {
  const meta = { logAlpha: s.logAlpha, rng: s.rng, updates: s.updates, adamSteps: [s.actorAdam.t, s.qfAdam.t, s.alphaAdam.t] };
  return packArrays(meta, {
    actor: s.actor,
    qf: s.qf,
    qfTarget: s.qfTarget,
    actorAdamM: s.actorAdam.m,
    actorAdamV: s.actorAdam.v,
    qfAdamM: s.qfAdam.m,
    qfAdamV: s.qfAdam.v,
    alphaAdamM: s.alphaAdam.m,
    alphaAdamV: s.alphaAdam.v,
  });
}

export function sacStateFromBytes(bytes: Uint8Array): SacState {
  const { meta, arrays } = unpackArrays(bytes);
  const m = meta as { logAlpha: number; rng: [number, number, number, number]; updates: number; adamSteps: [number, number, number] };
  const f32 = (name: string): Float32Array => {
    const a = arrays.get(name);
    if (!(a instanceof Float32Array)) throw new Error(`SAC checkpoint lacks the float32 array "${name}"`);
    return a;
  };
  return {
    actor: f32("actor"),
    qf: f32("qf"),
    qfTarget: f32("qfTarget"),
    logAlpha: m.logAlpha,
    actorAdam: { m: f32("actorAdamM"), v: f32("actorAdamV"), t: m.adamSteps[0] },
    qfAdam: { m: f32("qfAdamM"), v: f32("qfAdamV"), t: m.adamSteps[1] },
    alphaAdam: { m: f32("alphaAdamM"), v: f32("alphaAdamV"), t: m.adamSteps[2] },
    rng: m.rng,
    updates: m.updates,
  };
}
