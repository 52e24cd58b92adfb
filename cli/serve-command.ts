/**
 * `rapier-gym serve`: runs the WebSocket server until SIGINT or SIGTERM, then shuts it down
 * gracefully (every client told 1001, every env freed) and exits 0.
 */
import type { ServerLimits } from "../server/limits.js";
import { RapierGymServer } from "../server/server.js";

export interface ServeOptions {
  host: string;
  port: number;
  token?: string;
  limits: Partial<ServerLimits>;
}

export async function runServe(options: ServeOptions): Promise<number> {
  const server = await RapierGymServer.start({ host: options.host, port: options.port, limits: options.limits, ...(options.token !== undefined ? { token: options.token } : {}) });
  const http = server.url.replace(/^ws:/, "http:");
  // Tools (bench server, tests) read the port from this line: keep its shape.
  console.log(`rapier-gym serve: listening on ${server.url} (health: ${http}/health)${options.token !== undefined ? "; clients need the token" : ""}`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  console.log(`rapier-gym serve: ${signal}: closing ${server.stats().connections} connections`);
  await server.close();
  console.log("rapier-gym serve: stopped");
  return 0;
}
