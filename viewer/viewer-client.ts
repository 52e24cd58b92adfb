/**
 * The viewer's side of the WebSocket protocol: requests by id with their replies parsed by the
 * server's own zod schemas (protocol/messages.ts), and pushes handed to one listener. The page
 * speaks to the server through this alone.
 */
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

export class ViewerClient {
  private nextId = 1;
  private readonly pending = new Map<number, { op: Op; resolve(result: unknown): void; reject(error: Error): void }>();

  private constructor(
    private readonly ws: WebSocket,
    private readonly onEvent: (event: ServerEvent) => void,
  ) {
    ws.addEventListener("message", (e: MessageEvent<string>) => this.receive(e.data));
    ws.addEventListener("close", () => {
      for (const p of this.pending.values()) p.reject(new Error("the connection to the server closed"));
      this.pending.clear();
    });
  }

  /** Connects and says hello (with the page's ?token= if the server needs one). */
  static async connect(
    url: string,
    token: string | null,
    onEvent: (event: ServerEvent) => void,
    onClose: () => void,
  ): Promise<{ client: ViewerClient; envs: string[] }> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener("open", () => resolve(), { once: true });
      ws.addEventListener("error", () => reject(new Error(`could not connect to ${url}`)), { once: true });
    });
    ws.addEventListener("close", onClose);
    const client = new ViewerClient(ws, onEvent);
    const hello = await client.request("hello", { protocol: PROTOCOL_VERSION, ...(token !== null ? { token } : {}) });
    return { client, envs: hello.envs };
  }

  request<O extends Op>(op: O, params: Params<O>): Promise<Result<O>> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, op, ...params }));
    return new Promise((resolve, reject) => this.pending.set(id, { op, resolve: resolve as (r: unknown) => void, reject }));
  }

  private receive(text: string): void {
    const message: unknown = JSON.parse(text);
    if (typeof message === "object" && message !== null && "event" in message) {
      this.onEvent(serverEvent.parse(message));
      return;
    }
    const r = reply.parse(message);
    if (r.id === null || typeof r.id === "string")
      throw new Error(`the server answered a request this page did not send: ${text.slice(0, 200)}`);
    const waiting = this.pending.get(r.id);
    if (!waiting) throw new Error(`a reply to request ${r.id}, which is not pending`);
    this.pending.delete(r.id);
    if (r.ok) waiting.resolve(resultSchemas[waiting.op].parse(r.result));
    else waiting.reject(new Error(`${waiting.op}: ${r.error.code}: ${r.error.message}`));
  }
}
