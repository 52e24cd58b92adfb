import { expect } from "chai";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { Rng } from "../../sim/index.js";
import { SyncVectorEnv } from "../../sim/vector/sync-vector-env.js";
import { RemoteVectorEnv, splitEnvs } from "../../client/remote-vector-env.js";
import { ProtocolError } from "../../protocol/protocol-error.js";
import { RapierGymServer } from "../../server/server.js";
import { waitFor } from "../server/wait-for.js";

const KWARGS = { maxEpisodeSteps: 3 };

/** Steps a remote fleet and the same vector env in process with the same seed and actions; they must agree bit for bit. */
async function expectSameAsInProcess(urls: string[], numEnvs: number, steps: number): Promise<void> {
  const remote = await RemoteVectorEnv.make(urls, "PointMassPush-v0", numEnvs, KWARGS);
  const local = new SyncVectorEnv("PointMassPush-v0", numEnvs, KWARGS);
  try {
    expect(remote.numEnvs).to.equal(numEnvs);
    expect(remote.singleObservationSpace.toJSON()).to.deep.equal(local.singleObservationSpace.toJSON());
    expect(await remote.reset({ seed: 6 })).to.deep.equal(local.reset({ seed: 6 }));
    const rng = new Rng(1);
    let finished = 0;
    for (let t = 0; t < steps; t++) {
      const actions = Float64Array.from({ length: numEnvs * 2 }, () => rng.uniform(-1, 1));
      const r = await remote.step(actions);
      expect(r).to.deep.equal(local.step(actions));
      finished += r.finalObs.filter((o) => o !== null).length;
    }
    // 3-step episodes: every env was reset inside step at least twice.
    expect(finished).to.be.greaterThanOrEqual(2 * numEnvs);
  } finally {
    local.close();
    await remote.close();
  }
}

describe("client: RemoteVectorEnv (envs over several servers)", () => {
  let servers: RapierGymServer[];
  let urls: string[];
  before(async () => {
    servers = await Promise.all([0, 1, 2].map(() => RapierGymServer.start({ port: 0 })));
    urls = servers.map((s) => s.url);
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it("splits the envs as evenly as possible and refuses impossible fleets by name", () => {
    expect(splitEnvs(64, 4)).to.deep.equal([16, 16, 16, 16]);
    expect(splitEnvs(10, 3)).to.deep.equal([4, 3, 3]);
    expect(() => splitEnvs(2, 3)).to.throw(/numEnvs \(2\) is less than the number of servers \(3\)/);
    expect(() => splitEnvs(4, 0)).to.throw(/list of servers is empty/);
    expect(() => splitEnvs(0, 1)).to.throw(/positive integer/);
  });

  it("gives the episodes of the same vector env in process, autoreset included, over three servers", async () => {
    await expectSameAsInProcess(urls, 10, 7);
  });

  it("batches and autoresets servers that hold a single env (4 envs on 3 servers: 2, 1, 1)", async () => {
    await expectSameAsInProcess(urls, 4, 7);
  });

  it("holds each server's share on it, and close frees them all", async () => {
    const env = await RemoteVectorEnv.make(urls, "PointMassReach-v0", 8);
    expect(servers.map((s) => s.stats().envs)).to.deep.equal([3, 3, 2]);
    expect(env.toString()).to.equal("RemoteVectorEnv<PointMassReach-v0 x 8 on 3 servers>");
    await env.reset({ seed: 0 });
    await env.close();
    await env.close();
    await waitFor(() => servers.every((s) => s.stats().envs === 0 && s.stats().connections === 0));
  });

  it("rejects bad fleets and actions with errors that name them, and leaves no connection open", async () => {
    const reason = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        return e instanceof ProtocolError ? e.code : String(e);
      }
      return "resolved";
    };
    expect(await reason(RemoteVectorEnv.make([], "PointMassReach-v0", 4))).to.match(/list of servers is empty/);
    expect(await reason(RemoteVectorEnv.make([urls[0]!, urls[0]!], "PointMassReach-v0", 4))).to.match(/listed twice/);
    expect(await reason(RemoteVectorEnv.make(urls, "PointMassReach-v0", 2))).to.match(/less than the number of servers/);
    expect(await reason(RemoteVectorEnv.make(urls, "PointMassRech-v0", 6))).to.equal("UNKNOWN_ENV");
    const env = await RemoteVectorEnv.make(urls.slice(0, 2), "PointMassReach-v0", 4);
    expect(await reason(env.step(new Float64Array(8)))).to.equal("RESET_NEEDED");
    await env.reset({ seed: 0 });
    expect(await reason(env.step(new Float64Array(7)))).to.match(/4 rows of 2 actions \(8 numbers\), got 7/);
    expect((await env.step(new Float64Array(8))).rewards.length).to.equal(4);
    await env.close();
    await waitFor(() => servers.every((s) => s.stats().connections === 0));
  });
});

/**
 * Two fake servers that answer a step only once both have received theirs: a client that awaited
 * one server's reply before sending to the next would never complete a step against them.
 */
describe("client: RemoteVectorEnv steps every server at once", () => {
  it("sends every server its step before awaiting any reply", async () => {
    const box = { type: "Box", low: [-1, -1], high: [1, 1], shape: [2], dtype: "float64" };
    let arrived = 0;
    let release = (_both: boolean): void => undefined;
    const bothArrived = new Promise<boolean>((resolve) => (release = resolve));
    // A failure guard, not a time limit: a sequential client gets an error instead of hanging the suite.
    const guard = setTimeout(() => release(false), 20_000);
    const servers = await Promise.all([0, 1].map(() => barrierServer()));
    async function barrierServer(): Promise<{ url: string; wss: WebSocketServer }> {
      const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
      await new Promise<void>((resolve) => wss.once("listening", resolve));
      wss.on("connection", (ws) => {
        let numEnvs = 1;
        ws.on("message", async (data) => {
          const req = JSON.parse(data.toString()) as { id: number; op: string; numEnvs?: number; action?: number[][] };
          const answer = (result: unknown) => ws.send(JSON.stringify({ id: req.id, ok: true, result }));
          if (req.op === "hello") answer({ protocol: 2, server: "barrier", envs: [] });
          if (req.op === "make") {
            numEnvs = req.numEnvs ?? 1;
            const spec = { id: "Fake-v0", kwargs: {}, maxEpisodeSteps: null };
            answer({ handle: 1, observationSpace: { type: "Dict", spaces: { observation: box } }, actionSpace: box, spec, numEnvs });
          }
          if (req.op === "step") {
            if (++arrived === 2) release(true);
            if (!(await bothArrived)) {
              ws.send(
                JSON.stringify({ id: req.id, ok: false, error: { code: "INTERNAL", message: "the other server never got its step" } }),
              );
              return;
            }
            const no = Array<boolean>(numEnvs).fill(false);
            const info = { is_success: no, final_obs: Array<null>(numEnvs).fill(null) };
            answer({ obs: { observation: req.action }, reward: Array<number>(numEnvs).fill(0), terminated: no, truncated: no, info });
          }
        });
      });
      return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, wss };
    }
    try {
      const env = await RemoteVectorEnv.make(
        servers.map((s) => s.url),
        "Fake-v0",
        4,
      );
      const actions = Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(Array.from((await env.step(actions)).obs["observation"]!)).to.deep.equal(Array.from(actions));
      await env.close();
    } finally {
      clearTimeout(guard);
      for (const s of servers) {
        for (const c of s.wss.clients) c.terminate();
        s.wss.close();
      }
    }
  });
});
