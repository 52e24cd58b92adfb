/**
 * The server of `rapier-gym train --serve`, in a worker thread: training keeps the main thread
 * busy for minutes at a time, and a server there would answer nobody. The main thread posts each
 * finished evaluation episode; the worker replays them as a live session and serves the run's
 * learning curves (its metrics.jsonl, read as training appends to it).
 */
import { parentPort, workerData } from "node:worker_threads";
import { EvaluationReplay, type EvaluationEpisode } from "./evaluation-replay.js";
import { RapierGymServer } from "./server.js";
import { viewerBundle } from "./viewer-assets.js";

export interface ServeWorkerData {
  host: string;
  port: number;
  token?: string;
  run: string;
}

/** Main thread to worker. */
export type ServeWorkerMessage = { type: "episode"; episode: EvaluationEpisode } | { type: "close" };
/** Worker to main thread: the address, once listening (or why it could not listen). */
export type ServeWorkerReply = { type: "listening"; url: string } | { type: "failed"; message: string } | { type: "closed" };

const data = workerData as ServeWorkerData;
const port = parentPort!;

try {
  const server = await RapierGymServer.start({
    host: data.host,
    port: data.port,
    runs: [data.run],
    ...(data.token !== undefined ? { token: data.token } : {}),
  });
  await viewerBundle();
  const replay = new EvaluationReplay(server.live, `evaluations of ${data.run}`);
  port.on("message", (message: ServeWorkerMessage) => {
    if (message.type === "episode") {
      replay.add(message.episode);
      return;
    }
    replay.stop();
    void server.close().then(() => port.postMessage({ type: "closed" } satisfies ServeWorkerReply));
  });
  port.postMessage({ type: "listening", url: server.url } satisfies ServeWorkerReply);
} catch (e) {
  port.postMessage({ type: "failed", message: e instanceof Error ? e.message : String(e) } satisfies ServeWorkerReply);
}
