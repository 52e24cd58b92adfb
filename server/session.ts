/**
 * One connection's state and the handling of its messages, with no socket in sight: the server
 * feeds it text frames and gives it a way to send and to end the connection. Each session owns
 * the envs it made; `close()` frees them all.
 *
 * Every message gets exactly one reply, in order; pushes a request causes (frames after a step,
 * the scene after subscribe) follow its reply.
 */
import { timingSafeEqual } from "node:crypto";
import { EnvError } from "../sim/core/env.js";
import {
  PROTOCOL_VERSION,
  OPS,
  request,
  requestEnvelope,
  requestId,
  type ErrorCode,
  type OpRequest,
  type RequestId,
  type Result,
  type ServerEvent,
} from "../protocol/messages.js";
import { ProtocolError } from "../protocol/protocol-error.js";
import { ConnectionEnvs } from "./connection-envs.js";
import { describeIssues } from "./describe-issues.js";
import type { EnvCatalog } from "./env-catalog.js";
import { envErrorCode } from "./hosted-env.js";
import type { ServerLimits } from "./limits.js";
import type { LiveSessions, Watcher } from "./live-sessions.js";
import { checkEvent, checkResult, dispatch, type OpHandlers } from "./op-handlers.js";
import { prototypeKeyError, prototypeKeyPath } from "./prototype-keys.js";
import type { RecordingLibrary } from "./recording-library.js";
import type { RunLibrary } from "./run-library.js";
import type { SnapshotSeal } from "./snapshot-seal.js";
import { viewerOps } from "./viewer-ops.js";

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
  /** Parse every result and push with its schema before sending it, answering INTERNAL for one that does not match. */
  checkReplies: boolean;
  send(text: string): void;
  /** Ends the connection (after what was sent so far). */
  end(code: number, reason: string): void;
  /** Called with any error that is not the client's fault, before it is answered as INTERNAL. */
  onInternalError(error: unknown): void;
}

/** The WebSocket close code for a policy violation (RFC 6455). */
export const CLOSE_POLICY = 1008;

export class Session implements Watcher {
  private readonly envs: ConnectionEnvs;
  private readonly handlers: OpHandlers;
  private readonly pushes: ServerEvent[] = [];
  private authenticated: boolean;
  private closed = false;
  /** Between reading a request and sending its reply: pushes then wait for the reply. */
  private dispatching = false;

  constructor(private readonly options: SessionOptions) {
    this.authenticated = options.requiredToken === null;
    const envs = new ConnectionEnvs({ ...options, push: (event) => this.pushes.push(event) });
    this.envs = envs;
    this.handlers = {
      hello: (req) => this.hello(req),
      make: (req) => envs.make(req),
      reset: (req) => envs.reset(req),
      step: (req) => envs.step(req),
      computeReward: (req) => envs.computeReward(req),
      snapshot: (req) => envs.snapshot(req),
      restore: (req) => envs.restore(req),
      subscribe: (req) => envs.subscribe(req),
      unsubscribe: (req) => envs.unsubscribe(req),
      close: (req) => envs.close(req),
      ...viewerOps(options, this),
    };
  }

  /** Envs this connection holds open (a vector env counts each of its envs). */
  get envCount(): number {
    return this.envs.count;
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
      if (!envelope.success)
        throw new ProtocolError(
          "BAD_REQUEST",
          `a request must be a JSON object with an id (integer >= 0 or string of at most 128 characters) and an op: ${describeIssues(envelope.error.issues)}`,
        );
      const { op } = envelope.data;
      if (!(OPS as string[]).includes(op))
        throw new ProtocolError("UNKNOWN_OP", `unknown op "${op.slice(0, 64)}" (known: ${OPS.join(", ")})`);
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
      const result = dispatch(this.handlers, parsed.data.op, parsed.data);
      if (this.options.checkReplies) checkResult(parsed.data.op, result);
      this.dispatching = false;
      this.options.send(JSON.stringify({ id: parsed.data.id, ok: true, result }));
      for (const push of this.pushes) this.sendEvent(push);
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
    else this.sendEvent(event);
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
    this.envs.closeAll();
  }

  private authenticate(message: unknown): void {
    const hello = request.safeParse(message);
    const token = hello.success && hello.data.op === "hello" ? hello.data.token : undefined;
    if (token !== undefined && sameSecret(token, this.options.requiredToken!)) {
      this.authenticated = true;
      return;
    }
    const why =
      token === undefined
        ? 'this server needs a token: send it in hello ({op: "hello", token}) or as an Authorization: Bearer header'
        : "wrong token";
    this.sendError(salvageId(message), new ProtocolError("UNAUTHORIZED", why));
    this.options.end(CLOSE_POLICY, "unauthorized");
    this.close();
    throw new Unanswered();
  }

  private hello(req: OpRequest<"hello">): Result<"hello"> {
    if (req.protocol !== undefined && req.protocol !== PROTOCOL_VERSION) {
      throw new ProtocolError("BAD_REQUEST", `this server speaks protocol ${PROTOCOL_VERSION}, not ${req.protocol}`);
    }
    return { protocol: PROTOCOL_VERSION, server: this.options.serverName, envs: this.options.catalog.ids() };
  }

  /** A push that fails its check is dropped and reported, not answered: its request has had its one reply. */
  private sendEvent(event: ServerEvent): void {
    if (this.options.checkReplies) {
      try {
        checkEvent(event);
      } catch (e) {
        this.options.onInternalError(e);
        return;
      }
    }
    this.options.send(JSON.stringify(event));
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

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
