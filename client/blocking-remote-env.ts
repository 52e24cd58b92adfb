/**
 * A GoalEnv on a rapier-gym server, with the synchronous methods of a local env, so that code
 * written for local envs (the trainers, `rapier-gym train --remote`) runs against a remote
 * simulator unchanged. The socket lives in a worker thread; each call blocks this thread for one
 * round trip (blocking-call.ts). For async code, RemoteEnv is the plainer choice.
 */
import { Worker } from "node:worker_threads";
import {
  EnvError,
  type EnvSpec,
  type GoalEnv,
  type GoalObs,
  type Info,
  type ResetArgs,
  type ResetResult,
  type StepResult,
} from "../sim/core/env.js";
import { spaceFromJSON, type Box, type Dict, type SpaceJSON } from "../sim/core/spaces.js";
import type { Rng } from "../sim/core/rng.js";
import type { Frame, SceneDescription } from "../sim/physics/scene.js";
import { siblingModule, workerEntry } from "../sim/worker-entry.js";
import { allocateChannel, attachChannel, callBlocking, type Channel } from "./blocking-call.js";
import type { ConnectOptions } from "./protocol-client.js";
import { goalObsFromWire } from "./wire-observation.js";

/** Room for one message: observations are small; a snapshot is about 10 kB, 40 kB as JSON. */
const CHANNEL_BYTES = 4 << 20;
const CALL_TIMEOUT_MS = 60_000;

type Reply = { result: unknown } | { error: { code: string; message: string } };

export class BlockingRemoteEnv implements GoalEnv {
  spec: EnvSpec | null;
  private closed = false;

  private constructor(
    private readonly worker: Worker,
    private readonly ch: Channel,
    readonly observationSpace: Dict,
    readonly actionSpace: Box,
    spec: EnvSpec,
  ) {
    this.spec = spec;
  }

  /**
   * Makes `id` on the server at `url` (ws://host:port), blocking until the server answers (the
   * worker's start included), so that it can stand wherever a local `make` does.
   */
  static make(url: string, id: string, kwargs: Record<string, unknown> = {}, options: ConnectOptions = {}): BlockingRemoteEnv {
    const buffers = allocateChannel(CHANNEL_BYTES);
    const ch = attachChannel(buffers);
    const [entry, entryOptions] = workerEntry(siblingModule(import.meta.url, "blocking-remote-worker"));
    const worker = new Worker(entry, { ...entryOptions, workerData: { buffers } });
    // The thread must not keep the process alive once the env is closed or dropped.
    worker.unref();
    const reply = callBlocking(ch, { method: "make", url, id, kwargs, options }, CALL_TIMEOUT_MS) as Reply;
    if ("error" in reply) {
      void worker.terminate();
      throw remoteError(reply.error, `${url} ${id}`);
    }
    const made = reply.result as { observationSpace: SpaceJSON; actionSpace: SpaceJSON; spec: EnvSpec };
    const observationSpace = spaceFromJSON(made.observationSpace);
    if (observationSpace.type !== "Dict")
      throw new TypeError(`${id}: the server sent a ${observationSpace.type} observation space, not a Dict`);
    return new BlockingRemoteEnv(worker, ch, observationSpace, spaceFromJSON(made.actionSpace) as Box, made.spec);
  }

  get unwrapped(): BlockingRemoteEnv {
    return this;
  }

  /** The generator lives on the server; seed through reset({seed}). */
  get npRandom(): Rng {
    throw new Error(`${this.toString()}: the env's generator is on the server; seed it through reset({ seed })`);
  }

  reset(args: ResetArgs = {}): ResetResult<GoalObs> {
    const r = this.call({ method: "reset", args }) as { obs: Record<string, number[]>; info: Info };
    return { obs: goalObsFromWire(r.obs), info: r.info };
  }

  step(action: ArrayLike<number>): StepResult<GoalObs> {
    const r = this.call({ method: "step", action: Array.from(action) }) as Omit<StepResult<GoalObs>, "obs"> & {
      obs: Record<string, number[]>;
    };
    return { ...r, obs: goalObsFromWire(r.obs) };
  }

  computeReward(achieved: Float64Array, desired: Float64Array, _info?: Info, goalDim?: number): Float64Array {
    const dim = goalDim ?? this.observationSpace.box("achieved_goal").size;
    return Float64Array.from(this.call({ method: "computeReward", achieved, desired, goalDim: dim }) as number[]);
  }

  /** Sealed by the server: restores only on the server process that made it. */
  snapshot(): Uint8Array {
    return Uint8Array.from(this.call({ method: "snapshot" }) as number[]);
  }

  restore(bytes: Uint8Array): void {
    this.call({ method: "restore", bytes });
  }

  /** Scenes and frames of a remote env arrive as pushes: subscribe with a RemoteEnv. */
  scene(): SceneDescription {
    throw new Error(`${this.toString()}: scenes of a remote env arrive by subscribing (RemoteEnv.subscribe)`);
  }

  frame(): Frame {
    throw new Error(`${this.toString()}: frames of a remote env arrive by subscribing (RemoteEnv.subscribe)`);
  }

  close(): void {
    if (this.closed) return;
    this.call({ method: "close" });
    this.closed = true;
    void this.worker.terminate();
  }

  toString(): string {
    return `BlockingRemoteEnv<${this.spec?.id ?? "?"}>`;
  }

  private call(request: object): unknown {
    if (this.closed) throw new EnvError("CLOSED", `${this.toString()} is closed`);
    const reply = callBlocking(this.ch, request, CALL_TIMEOUT_MS) as Reply;
    if ("error" in reply) throw remoteError(reply.error, this.toString());
    return reply.result;
  }
}

/** A server's error, rethrown as the EnvError a local env would have thrown where codes match. */
function remoteError(e: { code: string; message: string }, where: string): Error {
  const envCodes = ["BAD_ACTION", "BAD_OPTIONS", "RESET_NEEDED", "BAD_KWARGS", "UNKNOWN_ENV", "CLOSED", "BAD_SNAPSHOT"];
  if (envCodes.includes(e.code)) return new EnvError(e.code as EnvError["code"], e.message);
  return new Error(`${where}: ${e.code}: ${e.message}`);
}
