/**
 * The thread behind a BlockingRemoteEnv: holds the socket and a RemoteEnv, and answers the main
 * thread's synchronous calls (see blocking-call.ts) one at a time, from `make` until `close` (or a
 * `make` that failed).
 */
import { workerData } from "node:worker_threads";
import { RemoteEnv } from "./remote-env.js";
import { SLOT, attachChannel, readMessage, writeMessage } from "./blocking-call.js";
import type { ConnectOptions } from "./protocol-client.js";

interface Input {
  buffers: { buffer: SharedArrayBuffer; control: SharedArrayBuffer };
}

type Call =
  | { method: "make"; url: string; id: string; kwargs: Record<string, unknown>; options: ConnectOptions }
  | { method: "reset"; args: { seed?: number; options?: Record<string, unknown> } }
  | { method: "step"; action: number[] }
  | { method: "computeReward"; achieved: number[]; desired: number[]; goalDim: number }
  | { method: "snapshot" }
  | { method: "restore"; bytes: number[] }
  | { method: "close" };

const input = workerData as Input;
const ch = attachChannel(input.buffers);

let env: RemoteEnv | null = null;

async function serve(call: Call): Promise<unknown> {
  if (call.method === "make") {
    env = await RemoteEnv.make(call.url, call.id, call.kwargs, call.options);
    return { observationSpace: env.observationSpace.toJSON(), actionSpace: env.actionSpace.toJSON(), spec: env.spec };
  }
  if (env === null) throw new Error(`${call.method} before make`);
  switch (call.method) {
    case "reset":
      return env.reset(call.args);
    case "step":
      return env.step(call.action);
    case "computeReward":
      return env.computeReward(Float64Array.from(call.achieved), Float64Array.from(call.desired), undefined, call.goalDim);
    case "snapshot":
      return env.snapshot();
    case "restore":
      return env.restore(Uint8Array.from(call.bytes));
    case "close":
      return env.close();
  }
}

let seen = 0;
for (;;) {
  const wait = Atomics.waitAsync(ch.control, SLOT.request, seen);
  if (wait.async) await wait.value;
  seen = Atomics.load(ch.control, SLOT.request);
  const call = readMessage(ch) as Call;
  try {
    writeMessage(ch, { result: await serve(call) });
  } catch (e) {
    writeMessage(ch, { error: errorOf(e) });
  }
  Atomics.store(ch.control, SLOT.reply, seen);
  Atomics.notify(ch.control, SLOT.reply);
  if (call.method === "close" || (call.method === "make" && env === null)) break;
}

function errorOf(e: unknown): { code: string; message: string } {
  const code = typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : "INTERNAL";
  return { code, message: e instanceof Error ? e.message : String(e) };
}
