/**
 * `rapier-gym serve`: one port for HTTP (/health and the viewer's files) and for the WebSocket
 * protocol. The sockets and limits live here; what a message means lives in Session.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { registryCatalog, type EnvCatalog } from "./env-catalog.js";
import { DEFAULT_LIMITS, type ServerLimits } from "./limits.js";
import { PROTOCOL_VERSION } from "../protocol/messages.js";
import { CLOSE_POLICY, Session } from "./session.js";
import { SnapshotSeal } from "./snapshot-seal.js";
import { LiveSessions } from "./live-sessions.js";
import { NO_RECORDINGS, type RecordingLibrary } from "./recording-library.js";
import { RunLibrary } from "./run-library.js";
import { viewerAsset } from "./viewer-assets.js";

export interface ServerOptions {
  /** @defaultValue "127.0.0.1"; any non-loopback address needs `token`. */
  host?: string;
  /** 0 picks a free port. @defaultValue 8765 */
  port?: number;
  /** Clients must show it in hello or as `Authorization: Bearer <token>`. */
  token?: string;
  limits?: Partial<ServerLimits>;
  catalog?: EnvCatalog;
  /** Run directories (or folders of them) whose learning curves the viewer may show. */
  runs?: readonly string[];
  /** Recorded episodes the viewer may play back. @defaultValue none */
  recordings?: RecordingLibrary;
  /** Where connection events and internal errors go. @defaultValue stderr */
  log?: (line: string) => void;
  /**
   * Parse every result and push with its schema before sending it (a result that does not match
   * is answered INTERNAL and logged): for tests and development, as it costs each reply a parse.
   * @defaultValue whether the environment variable RAPIER_GYM_CHECK_REPLIES is "1"
   */
  checkReplies?: boolean;
}

export const DEFAULT_PORT = 8765;
const SERVER_NAME = "rapier-gym 0.1.0";
/** Replies a client leaves unread beyond this mean it is flooding without reading: it is dropped. */
const MAX_UNREAD_BYTES = 16 << 20;
const CLOSE_GOING_AWAY = 1001;
const CLOSE_TRY_AGAIN_LATER = 1013;
const CLOSE_IDLE = 4000;

/** Loopback addresses: the only ones that may be bound without a token. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** What one accepted connection's Session is given: the server's shared parts and the peer's own. */
interface ConnectionOptions {
  catalog: EnvCatalog;
  limits: ServerLimits;
  seal: SnapshotSeal;
  runs: RunLibrary;
  recordings: RecordingLibrary;
  checkReplies: boolean;
  requiredToken: string | null;
  log: (line: string) => void;
  remote: string;
}

export class RapierGymServer {
  private readonly sessions = new Map<WebSocket, Session>();
  /** Every live session; the server's own agents (demo, training replays) add theirs here. */
  readonly live = new LiveSessions();
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    readonly host: string,
    readonly port: number,
  ) {}

  /** Starts listening; resolves once the port is bound. */
  static async start(options: ServerOptions = {}): Promise<RapierGymServer> {
    const host = options.host ?? "127.0.0.1";
    const token = options.token ?? null;
    checkExposure(host, token);
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    const catalog = options.catalog ?? registryCatalog;
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const seal = new SnapshotSeal();
    const runs = new RunLibrary(options.runs ?? []);
    const recordings = options.recordings ?? NO_RECORDINGS;
    const checkReplies = options.checkReplies ?? process.env["RAPIER_GYM_CHECK_REPLIES"] === "1";

    const headerTimeout = Math.min(limits.idleTimeoutMs, 60_000);
    const http = createServer({
      headersTimeout: headerTimeout,
      requestTimeout: headerTimeout,
      connectionsCheckingInterval: Math.min(headerTimeout, 30_000),
    });
    const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes, perMessageDeflate: false });
    let server: RapierGymServer | undefined;

    http.on("request", (req: IncomingMessage, res: ServerResponse) => answerHttp(req, res, () => server!.stats(), log));

    http.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
      socket.on("error", () => socket.destroy());
      if (server!.closing) {
        socket.destroy();
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
        server!.accept(ws, {
          catalog,
          limits,
          seal,
          runs,
          recordings,
          checkReplies,
          // A bearer header authenticates the connection only if it is right; else hello must carry the token.
          requiredToken: token !== null && bearer !== token ? token : null,
          log,
          remote: `${req.socket.remoteAddress ?? "?"}:${req.socket.remotePort ?? "?"}`,
        });
      });
    });

    await new Promise<void>((resolve, reject) => {
      http.once("error", reject);
      http.listen(options.port ?? DEFAULT_PORT, host, () => {
        http.off("error", reject);
        resolve();
      });
    });
    server = new RapierGymServer(http, wss, host, (http.address() as AddressInfo).port);
    return server;
  }

  /** The WebSocket address clients connect to. */
  get url(): string {
    return `ws://${this.host.includes(":") ? `[${this.host}]` : this.host}:${this.port}`;
  }

  stats(): { connections: number; envs: number } {
    let envs = 0;
    for (const s of this.sessions.values()) envs += s.envCount;
    return { connections: this.sessions.size, envs };
  }

  /**
   * Graceful shutdown: no new connections, every socket closed with 1001 "server shutting down",
   * every env freed; sockets that do not finish the closing handshake within a second are cut.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const done = new Promise<void>((resolve) => this.http.close(() => resolve()));
      for (const [ws, session] of this.sessions) {
        session.close();
        ws.close(CLOSE_GOING_AWAY, "server shutting down");
      }
      const cut = setTimeout(() => {
        for (const ws of this.wss.clients) ws.terminate();
        this.http.closeAllConnections();
      }, 1000);
      await new Promise<void>((resolve) => this.wss.close(() => resolve()));
      this.http.closeIdleConnections();
      await done;
      clearTimeout(cut);
    })();
    return this.closing;
  }

  private accept(ws: WebSocket, options: ConnectionOptions): void {
    const { limits, log } = options;
    let idle: NodeJS.Timeout | undefined;
    const end = (code: number, reason: string): void => {
      clearTimeout(idle);
      session.close();
      this.sessions.delete(ws);
      ws.close(code, reason);
      // A peer that is gone never answers the closing handshake: do not wait the 30 s ws would.
      setTimeout(() => ws.terminate(), 1000).unref();
    };
    const session = new Session({
      ...options,
      live: this.live,
      serverName: SERVER_NAME,
      send: (text) => {
        if (ws.readyState !== ws.OPEN) return;
        ws.send(text);
        if (ws.bufferedAmount > MAX_UNREAD_BYTES) end(CLOSE_POLICY, "too many unread replies: read replies before sending more requests");
      },
      end,
      onInternalError: (e) =>
        log(`rapier-gym serve: internal error for ${options.remote}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
    });
    ws.on("error", (e) => log(`rapier-gym serve: connection ${options.remote}: ${e.message}`));
    ws.on("close", () => {
      clearTimeout(idle);
      session.close();
      this.sessions.delete(ws);
    });
    if (this.sessions.size >= limits.maxConnections) {
      session.refuse(
        "LIMIT",
        `the server already has ${this.sessions.size} connections, its limit (--max-connections ${limits.maxConnections}); try again later`,
      );
      end(CLOSE_TRY_AGAIN_LATER, "too many connections");
      return;
    }
    this.sessions.set(ws, session);
    const touch = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => end(CLOSE_IDLE, `idle for ${limits.idleTimeoutMs} ms`), limits.idleTimeoutMs);
    };
    touch();
    ws.on("message", (data: RawData, isBinary: boolean) => {
      touch();
      if (isBinary) session.refuse("BAD_REQUEST", "binary frames are not part of the protocol: send JSON as text frames");
      else session.receive(rawText(data));
    });
  }
}

/** Plain HTTP on the protocol's port: /health, and the viewer's files for every other path. */
function answerHttp(
  req: IncomingMessage,
  res: ServerResponse,
  stats: () => { connections: number; envs: number },
  log: (line: string) => void,
): void {
  if (req.url === "/health") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "ok", protocol: PROTOCOL_VERSION, server: SERVER_NAME, ...stats() }));
    return;
  }
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  viewerAsset(path).then(
    (asset) => {
      if (asset === null) {
        res.writeHead(404, { "content-type": "text/plain" });
        res.end(`not found: ${path} (this server answers /, /health and WebSocket upgrades)\n`);
        return;
      }
      res.writeHead(200, { "content-type": asset.contentType, "cache-control": "no-cache" });
      res.end(asset.body);
    },
    (e: unknown) => {
      log(`rapier-gym serve: could not serve ${path}: ${e instanceof Error ? e.message : String(e)}`);
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(`the viewer could not be built: ${e instanceof Error ? e.message : String(e)}\n`);
    },
  );
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString("utf8");
}

/** A server reachable beyond this machine must ask for a token: anyone who reaches it could drive it. */
function checkExposure(host: string, token: string | null): void {
  if (!isLoopback(host) && token === null) {
    throw new Error(
      `binding ${host} would let any machine that can reach it drive this simulator: pass a token (--token), or bind 127.0.0.1`,
    );
  }
  if (token !== null && token.length === 0) throw new Error("the token must not be empty");
}
