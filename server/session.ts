/**
 * One connection's state and the handling of its messages, with no socket in sight: the server
 * feeds it text frames and gives it a way to send and to end the connection. Each session owns
 * the envs it made; `close()` frees them all.
 *
 * Every message gets exactly one reply, in order; pushes a request causes (frames after a step,
 * the scene after subscribe) follow its reply.
 */
import { timingSafeEqual } from "node:crypto";
import { EnvError } from "../sim/core.js";
import type { SceneMarker } from "../sim/physics/scene.js";
import type { EnvCatalog } from "./env-catalog.js";
import { envErrorCode, type HostedEnv } from "./hosted-env.js";
import type { ServerLimits } from "./limits.js";
import { PROTOCOL_VERSION, OPS, request, requestEnvelope, requestId, type ErrorCode, type Request, type RequestId, type ServerEvent } from "../protocol/messages.js";
import { ProtocolError, describeIssues } from "../protocol/protocol-error.js";
import { prototypeKeyError, prototypeKeyPath } from "./prototype-keys.js";
import type { SnapshotSeal } from "./snapshot-seal.js";
import type { LiveSession, LiveSessions, Watcher } from "./live-sessions.js";
import type { RecordingLibrary } from "./recording-library.js";
import type { RunLibrary } from "./run-library.js";
import { wireFrame } from "../protocol/wire-frame.js";

export interface SessionOptions {
  catalog: EnvCatalog;
  limits: ServerLimits;
  seal: SnapshotSeal;
  /** The server's token when this connection has not shown it yet (no bearer header); else null. */
  requiredToken: string | null;
  /** The name hello reports. */
  serverName: string;
  /** Where this connection's envs are listed, and the sessions it can watch. */
  live: LiveSessions;
  runs: RunLibrary;
  recordings: RecordingLibrary;
  /** How the connection is named in the session list ("127.0.0.1:50412"). */
  remote: string;
  send(text: string): void;
  /** Ends the connection (after what was sent so far). */
  end(code: number, reason: string): void;
  /** Called with any error that is not the client's fault, before it is answered as INTERNAL. */
  onInternalError(error: unknown): void;
}

/** The WebSocket close code for a policy violation (RFC 6455). */
export const CLOSE_POLICY = 1008;

export class Session implements Watcher {
  private readonly envs = new Map<number, HostedEnv>();
  /** handle -> the live session of each of its envs, for watchers on other connections. */
  private readonly published = new Map<number, LiveSession[]>();
  /** handle -> index of each of its envs whose frames this connection receives -> the markers of the scene it was sent. */
  private readonly subscriptions = new Map<number, Map<number, readonly SceneMarker[]>>();
  private readonly pushes: ServerEvent[] = [];
  private nextHandle = 1;
  private heldEnvs = 0;
  private authenticated: boolean;
  private closed = false;
  /** Between reading a request and sending its reply: pushes then wait for the reply. */
  private dispatching = false;

  constructor(private readonly options: SessionOptions) {
    this.authenticated = options.requiredToken === null;
  }

  /** Envs this connection holds open (a vector env counts each of its envs). */
  get envCount(): number {
    return this.heldEnvs;
  }

  /** Handles one text frame: one reply, then any pushes it caused. */
  receive(text: string): void {
    if (this.closed) return;
    let id: RequestId | null = null;
    try {
      const message = parseJSON(text);
      id = salvageId(message);
      if (!this.authenticated) this.authenticate(message);
      const envelope = requestEnvelope.safeParse(message);
      if (!envelope.success) throw new ProtocolError("BAD_REQUEST", `a request must be a JSON object with an id (integer >= 0 or string of at most 128 characters) and an op: ${describeIssues(envelope.error.issues)}`);
      const { op } = envelope.data;
      if (!(OPS as string[]).includes(op)) throw new ProtocolError("UNKNOWN_OP", `unknown op "${op.slice(0, 64)}" (known: ${OPS.join(", ")})`);
      const parsed = request.safeParse(message);
      if (!parsed.success) {
        // A well-formed step whose only problems are in its action is a bad action, not a bad message.
        const code = op === "step" && parsed.error.issues.every((i) => i.path[0] === "action") ? "BAD_ACTION" : "BAD_REQUEST";
        throw new ProtocolError(code, `bad ${op} request: ${describeIssues(parsed.error.issues)}`);
      }
      // zod's records drop these keys rather than refuse them: looked for in the message as sent.
      const prototypeKey = prototypeKeyPath(message);
      if (prototypeKey !== null) throw prototypeKeyError(op, prototypeKey);
      this.dispatching = true;
      const result = this.dispatch(parsed.data);
      this.dispatching = false;
      this.options.send(JSON.stringify({ id: parsed.data.id, ok: true, result }));
      for (const push of this.pushes) this.options.send(JSON.stringify(push));
    } catch (e) {
      this.sendError(id, e);
    } finally {
      this.dispatching = false;
      this.pushes.length = 0;
    }
  }

  /** A watched session's event: sent now, or after the reply of the request under way. */
  deliver(event: ServerEvent): void {
    if (this.closed) return;
    if (this.dispatching) this.pushes.push(event);
    else this.options.send(JSON.stringify(event));
  }

  /** Answers a frame the session cannot read at all (binary, or refused by the server). */
  refuse(code: ErrorCode, message: string): void {
    this.sendError(null, new ProtocolError(code, message));
  }

  /** Frees every env this connection made. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.options.live.forget(this);
    for (const sessions of this.published.values()) for (const s of sessions) s.end();
    this.published.clear();
    for (const env of this.envs.values()) env.close();
    this.envs.clear();
    this.subscriptions.clear();
    this.heldEnvs = 0;
  }

  private authenticate(message: unknown): void {
    const hello = request.safeParse(message);
    const token = hello.success && hello.data.op === "hello" ? hello.data.token : undefined;
    if (token !== undefined && sameSecret(token, this.options.requiredToken!)) {
      this.authenticated = true;
      return;
    }
    const why = token === undefined ? "this server needs a token: send it in hello ({op: \"hello\", token}) or as an Authorization: Bearer header" : "wrong token";
    this.sendError(salvageId(message), new ProtocolError("UNAUTHORIZED", why));
    this.options.end(CLOSE_POLICY, "unauthorized");
    this.close();
    throw new Unanswered();
  }

  private dispatch(req: Request): object {
    switch (req.op) {
      case "hello":
        if (req.protocol !== undefined && req.protocol !== PROTOCOL_VERSION) {
          throw new ProtocolError("BAD_REQUEST", `this server speaks protocol ${PROTOCOL_VERSION}, not ${req.protocol}`);
        }
        return { protocol: PROTOCOL_VERSION, server: this.options.serverName, envs: this.options.catalog.ids() };
      case "make": {
        const numEnvs = req.numEnvs ?? 1;
        const max = this.options.limits.maxEnvsPerConnection;
        if (this.heldEnvs + numEnvs > max) {
          throw new ProtocolError("LIMIT", `this connection holds ${this.heldEnvs} envs; ${numEnvs} more would pass its limit of ${max} (close some, or start the server with a larger --max-envs)`);
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
        return { handle, observationSpace: env.observationSpace.toJSON(), actionSpace: env.actionSpace.toJSON(), spec: env.spec, numEnvs };
      }
      case "reset": {
        const result = this.env(req.handle).reset(req.seed, req.options);
        this.queueFrames(req.handle);
        return result;
      }
      case "step": {
        const result = this.env(req.handle).step(req.action);
        this.queueFrames(req.handle);
        return result;
      }
      case "computeReward": {
        const env = this.env(req.handle);
        const [achieved, goalDim] = flattenGoals(req.achievedGoal, "achievedGoal");
        const [desired, desiredDim] = flattenGoals(req.desiredGoal, "desiredGoal");
        if (req.achievedGoal.length !== req.desiredGoal.length || (goalDim !== desiredDim && req.achievedGoal.length > 0)) {
          throw new ProtocolError("BAD_REQUEST", `achievedGoal (${req.achievedGoal.length}x${goalDim}) and desiredGoal (${req.desiredGoal.length}x${desiredDim}) must have the same shape`);
        }
        return { reward: Array.from(req.achievedGoal.length === 0 ? [] : env.computeReward(achieved, desired, goalDim)) };
      }
      case "snapshot":
        return { snapshot: Buffer.from(this.options.seal.seal(this.env(req.handle).snapshot())).toString("base64") };
      case "restore": {
        const env = this.env(req.handle);
        env.restore(this.options.seal.unseal(Buffer.from(req.snapshot, "base64")));
        return {};
      }
      case "subscribe": {
        const env = this.env(req.handle);
        const index = req.index ?? 0;
        const scene = env.scene(index);
        this.pushes.push({ event: "scene", handle: req.handle, index, scene });
        const watched = this.subscriptions.get(req.handle) ?? new Map<number, readonly SceneMarker[]>();
        watched.set(index, scene.markers);
        this.subscriptions.set(req.handle, watched);
        return {};
      }
      case "unsubscribe":
        this.env(req.handle);
        this.subscriptions.get(req.handle)?.delete(req.index ?? 0);
        return {};
      case "close": {
        const env = this.env(req.handle);
        env.close();
        this.envs.delete(req.handle);
        this.subscriptions.delete(req.handle);
        for (const s of this.published.get(req.handle) ?? []) s.end();
        this.published.delete(req.handle);
        this.heldEnvs -= env.numEnvs;
        return {};
      }
      case "list":
        return { sessions: this.options.live.list(), runs: this.options.runs.list(), recordings: this.options.recordings.list() };
      case "watch":
        this.options.live.get(req.session).addWatcher(this);
        return {};
      case "unwatch":
        this.options.live.get(req.session).removeWatcher(this);
        return {};
      case "setGoal": {
        const { source } = this.options.live.get(req.session);
        if (!source.setGoal) throw new ProtocolError("BAD_REQUEST", `session ${req.session} (${source.label}) does not take goals: only the server's own agents do (list shows takesGoal)`);
        source.setGoal(req.marker, req.position);
        return {};
      }
      case "metrics":
        return { run: req.run, ...this.options.runs.metrics(req.run, req.from ?? 0) };
      case "playback": {
        const { recordings } = this.options;
        const known = recordings.list();
        const recording = known.find((r) => r.recording === req.recording);
        if (!recording) throw new ProtocolError("NOT_FOUND", `no recording "${req.recording.slice(0, 200)}" on this server (recordings: ${known.map((r) => r.recording).join(", ") || "none"})`);
        if (req.episode >= recording.episodes.length) throw new ProtocolError("NOT_FOUND", `${req.recording} has ${recording.episodes.length} episodes (0..${recording.episodes.length - 1}), not episode ${req.episode}`);
        const { scene, frames } = recordings.episode(req.recording, req.episode);
        return { recording: req.recording, episode: req.episode, scene, frames: frames.map((f) => wireFrame(f, scene.markers)) };
      }
    }
  }

  private env(handle: number): HostedEnv {
    const env = this.envs.get(handle);
    if (!env) throw new ProtocolError("UNKNOWN_HANDLE", `no env with handle ${handle} on this connection (open: ${[...this.envs.keys()].join(", ") || "none"})`);
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
      if (markers) this.pushes.push({ event: "frame", handle, index, ...wireFrame(frame, markers) });
      live.publish(frame);
    });
  }

  private sendError(id: RequestId | null, e: unknown): void {
    if (e instanceof Unanswered) return;
    let code: ErrorCode;
    let message: string;
    if (e instanceof ProtocolError) {
      code = e.code;
      message = e.message;
    } else if (e instanceof EnvError) {
      code = envErrorCode(e);
      message = e.message;
    } else {
      this.options.onInternalError(e);
      code = "INTERNAL";
      message = `internal error: ${e instanceof Error ? e.message : String(e)}`;
    }
    this.options.send(JSON.stringify({ id, ok: false, error: { code, message } }));
  }
}

/** Thrown when the reply has already been sent (UNAUTHORIZED): unwinds without a second one. */
class Unanswered extends Error {}

function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ProtocolError("BAD_REQUEST", `message is not valid JSON: ${e instanceof Error ? e.message.slice(0, 200) : String(e)}`);
  }
}

/** The request's id if it has a readable one, so that even a refused request is answered by id. */
function salvageId(message: unknown): RequestId | null {
  if (typeof message !== "object" || message === null || !("id" in message)) return null;
  const id = requestId.safeParse(message.id);
  return id.success ? id.data : null;
}

/** Rows of goals as one flat array, and their common length. */
function flattenGoals(rows: number[][], name: string): [Float64Array, number] {
  const dim = rows[0]?.length ?? 0;
  if (rows.length > 0 && dim === 0) throw new ProtocolError("BAD_REQUEST", `${name} rows must not be empty`);
  const flat = new Float64Array(rows.length * dim);
  rows.forEach((row, i) => {
    if (row.length !== dim) throw new ProtocolError("BAD_REQUEST", `${name} row ${i} has ${row.length} numbers, row 0 has ${dim}: every row must have the same length`);
    flat.set(row, i * dim);
  });
  return [flat, dim];
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
