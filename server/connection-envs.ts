/**
 * The envs one connection holds behind its handles, and the ops on them (make to close). Each
 * env is also a live session others may watch; frames are computed once per step, and only when
 * this connection subscribes or another watches.
 */
import type { SceneMarker } from "../sim/physics/scene.js";
import type { Box, SpaceJSON } from "../sim/core/spaces.js";
import type { OpRequest, Result, ServerEvent } from "../protocol/messages.js";
import { ProtocolError } from "../protocol/protocol-error.js";
import { wireFrame } from "../protocol/wire-frame.js";
import type { EnvCatalog } from "./env-catalog.js";
import type { HostedEnv } from "./hosted-env.js";
import type { ServerLimits } from "./limits.js";
import type { LiveSession, LiveSessions } from "./live-sessions.js";
import type { SnapshotSeal } from "./snapshot-seal.js";

export interface ConnectionEnvsOptions {
  catalog: EnvCatalog;
  limits: ServerLimits;
  seal: SnapshotSeal;
  /** Where each env is listed as a live session. */
  live: LiveSessions;
  /** How the connection is named in the session list ("127.0.0.1:50412"). */
  remote: string;
  /** Queues a push to follow the reply of the request under way. */
  push(event: ServerEvent): void;
}

export class ConnectionEnvs {
  private readonly envs = new Map<number, HostedEnv>();
  /** handle -> the live session of each of its envs, for watchers on other connections. */
  private readonly published = new Map<number, LiveSession[]>();
  /** handle -> index of each of its envs whose frames this connection receives -> the markers of the scene it was sent. */
  private readonly subscriptions = new Map<number, Map<number, readonly SceneMarker[]>>();
  private nextHandle = 1;
  private heldEnvs = 0;

  constructor(private readonly options: ConnectionEnvsOptions) {}

  /** Envs held open (a vector env counts each of its envs). */
  get count(): number {
    return this.heldEnvs;
  }

  make(req: OpRequest<"make">): Result<"make"> {
    const numEnvs = req.numEnvs ?? 1;
    const max = this.options.limits.maxEnvsPerConnection;
    if (this.heldEnvs + numEnvs > max) {
      throw new ProtocolError(
        "LIMIT",
        `this connection holds ${this.heldEnvs} envs; ${numEnvs} more would pass its limit of ${max} (close some, or start the server with a larger --max-envs)`,
      );
    }
    const env = this.options.catalog.open(req.env, req.kwargs ?? {}, numEnvs);
    const handle = this.nextHandle++;
    this.envs.set(handle, env);
    this.heldEnvs += numEnvs;
    this.published.set(
      handle,
      Array.from({ length: numEnvs }, (_, index) =>
        this.options.live.add({
          env: req.env,
          label: `${this.options.remote} handle ${handle}${numEnvs > 1 ? ` env ${index}` : ""}`,
          source: "client",
          scene: () => env.scene(index),
          frame: () => env.frame(index),
        }),
      ),
    );
    return { handle, observationSpace: env.observationSpace.toJSON(), actionSpace: boxJSON(env.actionSpace), spec: env.spec, numEnvs };
  }

  reset(req: OpRequest<"reset">): Result<"reset"> {
    const result = this.env(req.handle).reset(req.seed, req.options);
    this.queueFrames(req.handle);
    return result;
  }

  step(req: OpRequest<"step">): Result<"step"> {
    const result = this.env(req.handle).step(req.action);
    this.queueFrames(req.handle);
    return result;
  }

  computeReward(req: OpRequest<"computeReward">): Result<"computeReward"> {
    const env = this.env(req.handle);
    const [achieved, goalDim] = flattenGoals(req.achievedGoal, "achievedGoal");
    const [desired, desiredDim] = flattenGoals(req.desiredGoal, "desiredGoal");
    if (req.achievedGoal.length !== req.desiredGoal.length || (goalDim !== desiredDim && req.achievedGoal.length > 0)) {
      throw new ProtocolError(
        "BAD_REQUEST",
        `achievedGoal (${req.achievedGoal.length}x${goalDim}) and desiredGoal (${req.desiredGoal.length}x${desiredDim}) must have the same shape`,
      );
    }
    return { reward: Array.from(req.achievedGoal.length === 0 ? [] : env.computeReward(achieved, desired, goalDim)) };
  }

  snapshot(req: OpRequest<"snapshot">): Result<"snapshot"> {
    return { snapshot: Buffer.from(this.options.seal.seal(this.env(req.handle).snapshot())).toString("base64") };
  }

  restore(req: OpRequest<"restore">): Result<"restore"> {
    const env = this.env(req.handle);
    env.restore(this.options.seal.unseal(Buffer.from(req.snapshot, "base64")));
    return {};
  }

  subscribe(req: OpRequest<"subscribe">): Result<"subscribe"> {
    const env = this.env(req.handle);
    const index = req.index ?? 0;
    const scene = env.scene(index);
    this.options.push({ event: "scene", handle: req.handle, index, scene });
    const watched = this.subscriptions.get(req.handle) ?? new Map<number, readonly SceneMarker[]>();
    watched.set(index, scene.markers);
    this.subscriptions.set(req.handle, watched);
    return {};
  }

  unsubscribe(req: OpRequest<"unsubscribe">): Result<"unsubscribe"> {
    this.env(req.handle);
    this.subscriptions.get(req.handle)?.delete(req.index ?? 0);
    return {};
  }

  close(req: OpRequest<"close">): Result<"close"> {
    const env = this.env(req.handle);
    env.close();
    this.envs.delete(req.handle);
    this.subscriptions.delete(req.handle);
    for (const s of this.published.get(req.handle) ?? []) s.end();
    this.published.delete(req.handle);
    this.heldEnvs -= env.numEnvs;
    return {};
  }

  /** Frees every env (the connection ended). */
  closeAll(): void {
    for (const sessions of this.published.values()) for (const s of sessions) s.end();
    this.published.clear();
    for (const env of this.envs.values()) env.close();
    this.envs.clear();
    this.subscriptions.clear();
    this.heldEnvs = 0;
  }

  private env(handle: number): HostedEnv {
    const env = this.envs.get(handle);
    if (!env)
      throw new ProtocolError(
        "UNKNOWN_HANDLE",
        `no env with handle ${handle} on this connection (open: ${[...this.envs.keys()].join(", ") || "none"})`,
      );
    return env;
  }

  /** A frame for each env of `handle` that this connection subscribes to or another watches, computed once. */
  private queueFrames(handle: number): void {
    const subscribed = this.subscriptions.get(handle);
    const published = this.published.get(handle)!;
    const env = this.envs.get(handle)!;
    published.forEach((live, index) => {
      const markers = subscribed?.get(index);
      if (!markers && !live.watched) return;
      const frame = env.frame(index);
      if (markers) this.options.push({ event: "frame", handle, index, ...wireFrame(frame, markers) });
      live.publish(frame);
    });
  }
}

/** A Box's wire form, which sim/spaces.ts types as any space's: make's result promises a Box. */
function boxJSON(space: Box): Extract<SpaceJSON, { type: "Box" }> {
  const json = space.toJSON();
  if (json.type !== "Box") throw new Error(`an action space must be a Box, not a ${json.type}`);
  return json;
}

/** Rows of goals as one flat array, and their common length. */
function flattenGoals(rows: number[][], name: string): [Float64Array, number] {
  const dim = rows[0]?.length ?? 0;
  if (rows.length > 0 && dim === 0) throw new ProtocolError("BAD_REQUEST", `${name} rows must not be empty`);
  const flat = new Float64Array(rows.length * dim);
  rows.forEach((row, i) => {
    if (row.length !== dim)
      throw new ProtocolError(
        "BAD_REQUEST",
        `${name} row ${i} has ${row.length} numbers, row 0 has ${dim}: every row must have the same length`,
      );
    flat.set(row, i * dim);
  });
  return [flat, dim];
}
