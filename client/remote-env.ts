/**
 * An env on a rapier-gym server, used as an in-process one is (AsyncGoalEnv: GoalEnv with Promise
 * results). Observations come back as Float64Array, as from a local env.
 */
import type { EnvSpec, GoalObs, Info, ResetArgs, ResetResult, StepResult } from "../sim/core/env.js";
import { spaceFromJSON, type Box, type Dict } from "../sim/core/spaces.js";
import type { AsyncGoalEnv } from "./async-goal-env.js";
import { ProtocolClient, type ConnectOptions } from "./protocol-client.js";
import type { Result, ServerEvent } from "../protocol/messages.js";
import { goalObsFromWire } from "./wire-observation.js";

export class RemoteEnv implements AsyncGoalEnv {
  private closed = false;

  private constructor(
    private readonly client: ProtocolClient,
    /** Whether close() also closes the connection (it was opened for this env). */
    private readonly ownsClient: boolean,
    readonly handle: number,
    readonly observationSpace: Dict,
    readonly actionSpace: Box,
    readonly spec: EnvSpec,
  ) {}

  /**
   * Makes `id` on the server at `server` (a ws:// URL, which opens a connection of its own, or an
   * open client, which several envs may share).
   */
  static async make(
    server: string | ProtocolClient,
    id: string,
    kwargs: Record<string, unknown> = {},
    options: ConnectOptions = {},
  ): Promise<RemoteEnv> {
    const ownsClient = typeof server === "string";
    const client = typeof server === "string" ? await ProtocolClient.connect(server, options) : server;
    try {
      const made = await client.request("make", { env: id, kwargs });
      const observationSpace = spaceFromJSON(made.observationSpace);
      if (observationSpace.type !== "Dict")
        throw new TypeError(`${id}: a goal env has a Dict observation space, the server sent a ${observationSpace.type}`);
      return new RemoteEnv(client, ownsClient, made.handle, observationSpace, spaceFromJSON(made.actionSpace) as Box, made.spec);
    } catch (e) {
      if (ownsClient) await client.close();
      throw e;
    }
  }

  async reset(args: ResetArgs = {}): Promise<ResetResult<GoalObs>> {
    const r = single(await this.client.request("reset", { handle: this.handle, ...args }));
    return { obs: goalObsFromWire(r.obs), info: r.info };
  }

  async step(action: ArrayLike<number>): Promise<StepResult<GoalObs>> {
    const r = single(await this.client.request("step", { handle: this.handle, action: Array.from(action) }));
    return { obs: goalObsFromWire(r.obs), reward: r.reward, terminated: r.terminated, truncated: r.truncated, info: r.info };
  }

  async computeReward(achieved: Float64Array, desired: Float64Array, _info?: Info, goalDim: number = this.goalDim): Promise<Float64Array> {
    const rows = (flat: Float64Array) =>
      Array.from({ length: flat.length / goalDim }, (_, i) => Array.from(flat.subarray(i * goalDim, (i + 1) * goalDim)));
    const r = await this.client.request("computeReward", { handle: this.handle, achievedGoal: rows(achieved), desiredGoal: rows(desired) });
    return Float64Array.from(r.reward);
  }

  /** Opaque bytes, sealed by the server: they restore on the server that made them. */
  async snapshot(): Promise<Uint8Array> {
    const r = await this.client.request("snapshot", { handle: this.handle });
    return new Uint8Array(Buffer.from(r.snapshot, "base64"));
  }

  async restore(bytes: Uint8Array): Promise<void> {
    await this.client.request("restore", { handle: this.handle, snapshot: Buffer.from(bytes).toString("base64") });
  }

  /**
   * Receives the scene once, then a frame after every reset and step of this env. Frames come in
   * wire form (integer millimetres and thousandths, markers aligned with the scene's):
   * `frameFromWire(e, scene.markers)` (protocol/wire-frame.ts) turns one back into metres and names.
   */
  async subscribe(listener: (event: ServerEvent) => void): Promise<void> {
    this.client.onEvent((e) => {
      if ((e.event === "scene" || e.event === "frame") && e.handle === this.handle) listener(e);
    });
    await this.client.request("subscribe", { handle: this.handle });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsClient) await this.client.close();
    else await this.client.request("close", { handle: this.handle });
  }

  toString(): string {
    return `RemoteEnv<${this.spec.id}>`;
  }

  private get goalDim(): number {
    const goal = this.observationSpace.spaces["achieved_goal"];
    return goal?.type === "Box" ? goal.size : 0;
  }
}

type SingleResult = Extract<Result<"reset"> | Result<"step">, { info: { is_success?: boolean } }>;

/** Narrows a reset or step result to the single-env form (this handle is never a vector env). */
function single<R extends Result<"reset"> | Result<"step">>(r: R): Extract<R, SingleResult> {
  if (Array.isArray(r.info["is_success"])) throw new TypeError("the server answered with a vector result for a single env");
  return r as Extract<R, SingleResult>;
}
