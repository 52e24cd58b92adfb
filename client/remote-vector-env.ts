/**
 * Envs spread over several rapier-gym servers, used as one vector env (SB3's VecEnv conventions,
 * sim/vector/vector-env.ts's results, with Promise results). The envs are split across the servers
 * as evenly as possible, one connection and one vector env (`make numEnvs=k`) per server; a step
 * sends every server its rows of the actions before awaiting any reply, so the servers step in
 * parallel and a step costs about one round trip plus the slowest server's share. Env i of the
 * whole fleet is seeded with seed + i whichever server holds it, so a fleet gives the episodes of
 * the same vector env in process (tested). docs/scaling.md has the design and measured figures.
 */
import type { EnvSpec } from "../sim/core/env.js";
import { spaceFromJSON, type Box, type Dict } from "../sim/core/spaces.js";
import { obsLayout, type VectorResetResult, type VectorStepResult } from "../sim/vector/vector-env.js";
import { ProtocolClient, type ConnectOptions } from "./protocol-client.js";
import { RemoteShard, type ShardReset, type ShardStep } from "./remote-shard.js";

/** How many envs each of `servers` servers holds: as even as can be, the first ones one more when it does not divide. */
export function splitEnvs(numEnvs: number, servers: number): number[] {
  if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new RangeError(`numEnvs must be a positive integer, got ${numEnvs}`);
  if (servers < 1) throw new RangeError("the list of servers is empty: give at least one ws://host:port");
  if (numEnvs < servers)
    throw new RangeError(`numEnvs (${numEnvs}) is less than the number of servers (${servers}): every server needs at least one env`);
  const base = Math.floor(numEnvs / servers);
  return Array.from({ length: servers }, (_, i) => base + (i < numEnvs % servers ? 1 : 0));
}

export class RemoteVectorEnv {
  readonly numEnvs: number;
  private readonly layout: { key: string; dim: number }[];
  private closed = false;

  private constructor(
    private readonly shards: RemoteShard[],
    readonly singleObservationSpace: Dict,
    readonly singleActionSpace: Box,
    readonly spec: EnvSpec,
  ) {
    this.numEnvs = shards.reduce((n, s) => n + s.size, 0);
    this.layout = obsLayout(singleObservationSpace);
  }

  /** Makes `numEnvs` envs of `id` over `servers` (ws:// URLs, each listed once); `options.token` goes to every server. */
  static async make(
    servers: string | readonly string[],
    id: string,
    numEnvs: number,
    kwargs: Record<string, unknown> = {},
    options: ConnectOptions = {},
  ): Promise<RemoteVectorEnv> {
    const urls = typeof servers === "string" ? [servers] : [...servers];
    const duplicate = urls.find((u, i) => urls.indexOf(u) !== i);
    if (duplicate !== undefined)
      throw new RangeError(`${duplicate} is listed twice: list each server once (it takes its share of the envs)`);
    const sizes = splitEnvs(numEnvs, urls.length);
    const connected = await Promise.allSettled(urls.map((url) => ProtocolClient.connect(url, options)));
    const clients = connected.flatMap((c) => (c.status === "fulfilled" ? [c.value] : []));
    try {
      const refused = connected.find((c): c is PromiseRejectedResult => c.status === "rejected");
      if (refused) throw refused.reason;
      const made = await Promise.all(clients.map((client, i) => client.request("make", { env: id, kwargs, numEnvs: sizes[i]! })));
      const first = JSON.stringify([made[0]!.observationSpace, made[0]!.actionSpace, made[0]!.spec]);
      made.forEach((m, i) => {
        if (JSON.stringify([m.observationSpace, m.actionSpace, m.spec]) !== first)
          throw new TypeError(
            `${urls[i]} makes a different ${id} than ${urls[0]} (spaces or spec differ): are they the same rapier-gym version?`,
          );
      });
      const observationSpace = spaceFromJSON(made[0]!.observationSpace);
      if (observationSpace.type !== "Dict") throw new TypeError(`${id}: a goal env has a Dict observation space`);
      let offset = 0;
      const shards = made.map((m, i) => {
        const shard = new RemoteShard(clients[i]!, m.handle, m.numEnvs, offset);
        offset += m.numEnvs;
        return shard;
      });
      return new RemoteVectorEnv(shards, observationSpace, spaceFromJSON(made[0]!.actionSpace) as Box, made[0]!.spec);
    } catch (e) {
      await Promise.allSettled(clients.map((c) => c.close()));
      throw e;
    }
  }

  /** Env i of the fleet is seeded with `seed + i`. */
  async reset(args: { seed?: number } = {}): Promise<VectorResetResult> {
    const parts = await Promise.all(this.shards.map((s) => s.reset(args.seed)));
    return { obs: this.flatObs(parts), isSuccess: Uint8Array.from(parts.flatMap((p) => p.isSuccess).map(Number)) };
  }

  /** `actions` holds one row of actionDim numbers per env of the fleet. */
  async step(actions: Float64Array): Promise<VectorStepResult> {
    const d = this.singleActionSpace.size;
    if (actions.length !== this.numEnvs * d)
      throw new RangeError(`a step needs ${this.numEnvs} rows of ${d} actions (${this.numEnvs * d} numbers), got ${actions.length}`);
    const rows = (s: RemoteShard) =>
      Array.from({ length: s.size }, (_, i) => Array.from(actions.subarray((s.offset + i) * d, (s.offset + i + 1) * d)));
    // Every request is sent (synchronously, inside request()) before any reply is awaited.
    const parts: ShardStep[] = await Promise.all(this.shards.map((s) => s.step(rows(s))));
    const flags = (pick: (p: ShardStep) => boolean[]) => Uint8Array.from(parts.flatMap(pick).map(Number));
    return {
      obs: this.flatObs(parts),
      isSuccess: flags((p) => p.isSuccess),
      rewards: Float64Array.from(parts.flatMap((p) => p.reward)),
      terminated: flags((p) => p.terminated),
      truncated: flags((p) => p.truncated),
      finalObs: parts.flatMap((p) => p.finalObs).map((o) => (o === null ? null : this.typedObs(o))),
    };
  }

  /** Closes every server's connection; each server frees the envs it held. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.shards.map((s) => s.close()));
  }

  toString(): string {
    return `RemoteVectorEnv<${this.spec.id} x ${this.numEnvs} on ${this.shards.length} servers>`;
  }

  /** The shards' rows concatenated, key by key, in the layout of a local vector env. */
  private flatObs(parts: ShardReset[]): Record<string, Float64Array> {
    return Object.fromEntries(
      this.layout.map(({ key, dim }) => {
        const out = new Float64Array(this.numEnvs * dim);
        let row = 0;
        for (const p of parts) for (const r of p.obs[key] ?? []) out.set(r, dim * row++);
        if (row !== this.numEnvs) throw new TypeError(`the servers sent ${row} rows of "${key}" for ${this.numEnvs} envs`);
        return [key, out];
      }),
    );
  }

  private typedObs(obs: Record<string, number[]>): Record<string, Float64Array> {
    return Object.fromEntries(Object.entries(obs).map(([k, v]) => [k, Float64Array.from(v)]));
  }
}
