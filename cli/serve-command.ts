/**
 * `rapier-gym serve`: runs the WebSocket server and the viewer until SIGINT or SIGTERM, then
 * shuts it down gracefully (every client told 1001, every env freed) and exits 0.
 */
import type { ServerLimits } from "../server/limits.js";
import { RapierGymServer } from "../server/server.js";
import { viewerBundle } from "../server/viewer-assets.js";
import { DemoFileRecordings } from "../bridge/demo-recordings.js";
import { onStopSignals } from "./stop-signals.js";

export interface ServeOptions {
  host: string;
  port: number;
  token?: string;
  limits: Partial<ServerLimits>;
  /** Run directories, or folders of them, for the viewer's learning curves. */
  runs?: string[];
  /** Demo files whose episodes the viewer plays back. */
  recordings?: string[];
}

export async function runServe(options: ServeOptions): Promise<number> {
  const server = await startViewerServer(options);
  await untilSignal(server, "serve");
  return 0;
}

/** The server with the viewer: its bundle built at once, so the first page load does not wait. */
export async function startViewerServer(options: ServeOptions): Promise<RapierGymServer> {
  const server = await RapierGymServer.start({
    host: options.host,
    port: options.port,
    limits: options.limits,
    ...(options.token !== undefined ? { token: options.token } : {}),
    runs: options.runs ?? [],
    ...(options.recordings?.length ? { recordings: new DemoFileRecordings(options.recordings) } : {}),
  });
  await viewerBundle();
  const http = server.url.replace(/^ws:/, "http:");
  // Tools (bench server, tests) read the port from this line: keep its shape.
  console.log(
    `rapier-gym serve: listening on ${server.url} (health: ${http}/health)${options.token !== undefined ? "; clients need the token" : ""}`,
  );
  console.log(`rapier-gym serve: viewer at ${http}/${options.token !== undefined ? "?token=<token>" : ""}`);
  return server;
}

/** Waits for SIGINT or SIGTERM, then runs `stop` and closes the server (a second signal exits at once). */
export async function untilSignal(server: RapierGymServer, name: string, stop: () => void = () => undefined): Promise<void> {
  let removeHandlers = (): void => undefined;
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    removeHandlers = onStopSignals({ stop: resolve });
  });
  try {
    console.log(`rapier-gym ${name}: ${signal}: closing ${server.stats().connections} connections`);
    stop();
    await server.close();
    console.log(`rapier-gym ${name}: stopped`);
  } finally {
    removeHandlers();
  }
}
