/**
 * The envs one server holds for a RemoteVectorEnv: rows `offset` to `offset + size` of the fleet's.
 * A server holding one env answers in the single-env form and does not reset it inside step, so
 * the shard batches its answers and resets a finished env itself (without a seed, as the server's
 * vector env does, so the next episode is the one a vector env would have run).
 */
import type { Result } from "../protocol/messages.js";
import type { ProtocolClient } from "./protocol-client.js";

type WireObs = Record<string, number[]>;

/** A reset of the shard's envs in the vector wire form: key -> one row per env. */
export interface ShardReset {
  obs: Record<string, number[][]>;
  isSuccess: boolean[];
}

/** A step of the shard's envs in the vector wire form, SB3's autoreset done. */
export interface ShardStep extends ShardReset {
  reward: number[];
  terminated: boolean[];
  truncated: boolean[];
  finalObs: (WireObs | null)[];
}

export class RemoteShard {
  constructor(
    readonly client: ProtocolClient,
    readonly handle: number,
    readonly size: number,
    readonly offset: number,
  ) {}

  async reset(seed: number | undefined): Promise<ShardReset> {
    const r = await this.client.request("reset", { handle: this.handle, ...(seed === undefined ? {} : { seed: seed + this.offset }) });
    return batchReset(r);
  }

  /** `rows` holds this shard's rows of the fleet's actions. */
  async step(rows: number[][]): Promise<ShardStep> {
    const r = await this.client.request("step", { handle: this.handle, action: this.size === 1 ? rows[0]! : rows });
    if (Array.isArray(r.reward)) {
      const v = r as Extract<Result<"step">, { reward: number[] }>;
      return {
        obs: v.obs,
        reward: v.reward,
        terminated: v.terminated,
        truncated: v.truncated,
        isSuccess: v.info.is_success,
        finalObs: v.info.final_obs,
      };
    }
    const s = r as Extract<Result<"step">, { reward: number }>;
    const done = s.terminated || s.truncated;
    const next = done ? batchReset(await this.client.request("reset", { handle: this.handle })).obs : rowsOf(s.obs);
    return {
      obs: next,
      reward: [s.reward],
      terminated: [s.terminated],
      truncated: [s.truncated],
      isSuccess: [s.info.is_success === true],
      finalObs: [done ? s.obs : null],
    };
  }

  /** Closes the connection: the server frees every env it made for it. */
  async close(): Promise<void> {
    await this.client.close();
  }
}

function rowsOf(obs: WireObs): Record<string, number[][]> {
  return Object.fromEntries(Object.entries(obs).map(([k, v]) => [k, [v]]));
}

function batchReset(r: Result<"reset">): ShardReset {
  const success = r.info.is_success;
  if (Array.isArray(success)) return { obs: r.obs as Record<string, number[][]>, isSuccess: success };
  return { obs: rowsOf(r.obs as WireObs), isSuccess: [success === true] };
}
