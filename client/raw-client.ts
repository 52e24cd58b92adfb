/**
 * A client that sends exactly the bytes it is given and reads every frame in order, unparsed by
 * any schema: tests speak the protocol wrongly on purpose through it (ProtocolClient only speaks
 * it rightly), and `bench viewer` weighs the frame messages as they arrive.
 */
import { WebSocket } from "ws";

export interface ErrorReplyShape {
  id: unknown;
  ok: false;
  error: { code: string; message: string };
}

export class RawClient {
  private readonly inbox: unknown[] = [];
  private readonly waiting: { resolve(m: unknown): void; reject(e: Error): void }[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const message: unknown = JSON.parse(data.toString());
      const waiter = this.waiting.shift();
      if (waiter) waiter.resolve(message);
      else this.inbox.push(message);
    });
    this.closed = new Promise((resolve) =>
      ws.on("close", (code, reason) => {
        // Nothing more will arrive: a test waiting for a reply fails now rather than at its timeout.
        for (const w of this.waiting.splice(0))
          w.reject(new Error(`the server closed the connection (${code} ${reason.toString()}) before replying`));
        resolve({ code, reason: reason.toString() });
      }),
    );
    ws.on("error", () => undefined);
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<RawClient> {
    const ws = new WebSocket(url, { headers, maxPayload: 64 << 20 });
    // Listen before the socket opens: a frame sent right after the upgrade arrives with it.
    const client = new RawClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    return client;
  }

  send(message: string | object): void {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** The next frame the server sent, parsed. */
  next(): Promise<unknown> {
    const queued = this.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.reject(new Error("the connection is closed"));
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Sends and returns the next frame (the reply, when nothing else is in flight). */
  async request(message: string | object): Promise<unknown> {
    this.send(message);
    return this.next();
  }

  /** Sends a request that must succeed and returns its result. */
  async ok<T = Record<string, unknown>>(message: object): Promise<T> {
    const reply = (await this.request(message)) as { ok: boolean; result: T; error?: unknown };
    if (!reply.ok) throw new Error(`expected ok for ${JSON.stringify(message).slice(0, 200)}, got ${JSON.stringify(reply.error)}`);
    return reply.result;
  }

  /** Sends a request that must fail and returns the error reply. */
  async fails(message: string | object): Promise<ErrorReplyShape> {
    const reply = (await this.request(message)) as ErrorReplyShape;
    if (reply.ok !== false)
      throw new Error(
        `expected an error for ${String(typeof message === "string" ? message : JSON.stringify(message)).slice(0, 200)}, got ${JSON.stringify(reply).slice(0, 200)}`,
      );
    return reply;
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }
}
