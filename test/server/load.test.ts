/**
 * Load: many clients stepping their own envs at once, each keeping several requests in flight.
 * Every reply must come back exactly once, in the order sent, with the result its own env would
 * give; after the clients disconnect, the server holds no env and its heap is back to baseline.
 */
import { expect } from "chai";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { make, Rng } from "../../sim/index.js";
import { reply as replySchema, stepResult } from "../../protocol/messages.js";
import { RapierGymServer } from "../../server/server.js";
import { RawClient } from "../../client/raw-client.js";
import { waitFor } from "./wait-for.js";

const ENV = "PointMassReach-v0";
/** Requests each client keeps in flight: replies could only be reordered if several are. */
const WINDOW = 4;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapMiB(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** One client: `steps` steps of seeded random actions, WINDOW at a time; returns its last observation. */
async function drive(url: string, seed: number, steps: number): Promise<number[]> {
  const client = await RawClient.open(url);
  const { handle } = await client.ok<{ handle: number }>({ id: 0, op: "make", env: ENV, kwargs: { maxEpisodeSteps: 1_000_000 } });
  await client.ok({ id: 0, op: "reset", handle, seed });
  const rng = new Rng(seed);
  let sent = 0;
  let received = 0;
  let last: number[] = [];
  const send = () => {
    sent++;
    client.send({ id: sent, op: "step", handle, action: [rng.uniform(-1, 1), rng.uniform(-1, 1)] });
  };
  while (sent < Math.min(WINDOW, steps)) send();
  while (received < steps) {
    const r = replySchema.parse(await client.next());
    received++;
    if (!r.ok) throw new Error(`client ${seed}: step ${received} failed: ${r.error.code} ${r.error.message}`);
    if (r.id !== received) throw new Error(`client ${seed}: expected the reply to request ${received}, got ${String(r.id)}`);
    last = stepResult.parse(r.result).obs["observation"]!;
    if (sent < steps) send();
  }
  await client.close();
  return last;
}

/** The observation the same seed and actions give in process. */
function expected(seed: number, steps: number): number[] {
  const env = make(ENV, { maxEpisodeSteps: 1_000_000 });
  env.reset({ seed });
  const rng = new Rng(seed);
  let obs = env.reset({ seed }).obs.observation;
  for (let t = 0; t < steps; t++) obs = env.step([rng.uniform(-1, 1), rng.uniform(-1, 1)]).obs.observation;
  env.close();
  return Array.from(obs);
}

async function loadTest(clients: number, steps: number): Promise<void> {
  const server = await RapierGymServer.start({ port: 0 });
  try {
    await drive(server.url, 999, 50); // warm-up: JIT, the WASM heap, ws buffers
    await waitFor(() => server.stats().connections === 0);
    const baseline = heapMiB();
    const t0 = performance.now();
    const finals = await Promise.all(Array.from({ length: clients }, (_, i) => drive(server.url, i, steps)));
    const seconds = (performance.now() - t0) / 1000;
    await waitFor(() => server.stats().connections === 0);
    expect(server.stats()).to.deep.equal({ connections: 0, envs: 0 });
    const after = heapMiB();
    // Spot-check content too: two clients' last observations against the same run in process.
    for (const i of [0, clients - 1]) expect(finals[i]).to.deep.equal(expected(i, steps));
    console.log(
      `      load: ${clients} clients x ${steps} steps (${WINDOW} in flight each) in ${seconds.toFixed(1)} s, ${((clients * steps) / seconds).toFixed(0)} steps/s; heap ${baseline.toFixed(1)} MiB before, ${after.toFixed(1)} MiB after disconnect`,
    );
    expect(after).to.be.lessThan(baseline + 8);
  } finally {
    await server.close();
  }
}

describe("server: load", () => {
  // About 30 s on 2 busy cores: inside the default suite's budget, so it runs in every CI run.
  it("64 clients x 1,000 steps: no reply lost, duplicated or reordered; memory back to baseline", async function () {
    this.timeout(300_000);
    await loadTest(64, 1000);
  });
});
