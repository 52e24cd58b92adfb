/**
 * The TypeScript end of the protocol: requests with ids, replies matched back to them and
 * validated with the same zod schemas the server uses, pushes handed to listeners. RemoteEnv, the
 * tests and `bench server` talk through it.
 */
import { WebSocket } from "ws";
import {
  PROTOCOL_VERSION,
  reply,
  resultSchemas,
  serverEvent,
  type Op,
  type Params,
  type Result,
  type ServerEvent,
} from "../protocol/messages.js";
import { ProtocolError } from "../protocol/protocol-error.js";

export interface ConnectOptions {
  /** Sent in hello; needed when the server was started with --token. */
  token?: string;
}

interface Pending {
  op: Op;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

export class ProtocolClient {
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(event: ServerEvent) => void>();
  private nextId = 1;
  private closedBecause: Error | null = null;
  /** What the server said to hello: its protocol version, name and env ids. */
  hello: Result<"hello"> = { protocol: PROTOCOL_VERSION, server: "", envs: [] };

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data, isBinary) => this.onMessage(isBinary ? "" : data.toString()));
    ws.on("close", (code, reason) => this.fail(new Error(`connection closed (${code}${reason.length ? `: ${reason.toString()}` : ""})`)));
    ws.on("error", (e) => this.fail(e));
  }

  /** Opens a connection and says hello (with the token, if given). */
  static async connect(url: string, options: ConnectOptions = {}): Promise<ProtocolClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    // Listen before the socket opens: a refusal (LIMIT) is sent right after the upgrade and arrives with it.
    const client = new ProtocolClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    client.hello = await client.request("hello", {
      protocol: PROTOCOL_VERSION,
      ...(options.token !== undefined ? { token: options.token } : {}),
    });
    return client;
  }

  /** Sends one request; resolves with its validated result, rejects with a ProtocolError for an error reply. */
  request<O extends Op>(op: O, params: Params<O>): Promise<Result<O>> {
    if (this.closedBecause) return Promise.reject(this.closedBecause);
    const id = this.nextId++;
    return new Promise<Result<O>>((resolve, reject) => {
      this.pending.set(id, { op, resolve: resolve as (r: unknown) => void, reject });
      this.ws.send(JSON.stringify({ id, op, ...params }));
    });
  }

  /** Listens to pushes (scene, frame); returns the function that stops listening. */
  onEvent(listener: (event: ServerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.ws.once("close", () => resolve()));
    this.ws.close(1000, "client closing");
    await closed;
  }

  private onMessage(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.fail(new Error(`the server sent a frame that is not JSON: ${text.slice(0, 100)}`));
      return;
    }
    if (typeof message === "object" && message !== null && "event" in message) {
      const event = serverEvent.safeParse(message);
      if (!event.success) return this.fail(new Error(`the server sent a malformed push: ${event.error.message}`));
      for (const listener of this.listeners) listener(event.data);
      return;
    }
    const parsed = reply.safeParse(message);
    if (!parsed.success) return this.fail(new Error(`the server sent a malformed reply: ${parsed.error.message}`));
    const r = parsed.data;
    const pending = typeof r.id === "number" ? this.pending.get(r.id) : undefined;
    if (!pending) {
      // A reply to no request of ours: the server refusing the connection itself (LIMIT, UNAUTHORIZED).
      if (!r.ok) this.fail(new ProtocolError(r.error.code, r.error.message));
      return;
    }
    this.pending.delete(r.id as number);
    if (!r.ok) return pending.reject(new ProtocolError(r.error.code, r.error.message));
    const result = resultSchemas[pending.op].safeParse(r.result);
    if (!result.success) pending.reject(new Error(`the server's ${pending.op} result is malformed: ${result.error.message}`));
    else pending.resolve(result.data);
  }

  /** Rejects every request in flight; the first reason sticks, so a LIMIT or UNAUTHORIZED is not masked by the close after it. */
  private fail(error: Error): void {
    this.closedBecause ??= error;
    for (const p of this.pending.values()) p.reject(this.closedBecause);
    this.pending.clear();
  }
}
