import { expect } from "chai";
import { make, Rng } from "../../sim/index.js";
import { ProtocolClient } from "../../client/protocol-client.js";
import { ProtocolError } from "../../protocol/protocol-error.js";
import { RemoteEnv } from "../../client/remote-env.js";
import { RapierGymServer } from "../../server/server.js";
import type { ServerEvent } from "../../protocol/messages.js";
import { waitFor } from "../server/wait-for.js";

describe("server: RemoteEnv (AsyncGoalEnv over the socket)", () => {
  let server: RapierGymServer;
  before(async () => {
    server = await RapierGymServer.start({ port: 0 });
  });
  after(async () => {
    await server.close();
  });

  it("gives the same episode as the env in process, with Float64Array observations", async () => {
    const remote = await RemoteEnv.make(server.url, "PointMassPush-v0", { maxEpisodeSteps: 30 });
    const local = make("PointMassPush-v0", { maxEpisodeSteps: 30 });
    expect(remote.observationSpace.toJSON()).to.deep.equal(local.observationSpace.toJSON());
    expect(remote.actionSpace.toJSON()).to.deep.equal(local.actionSpace.toJSON());
    expect(remote.spec).to.deep.equal(local.spec);
    expect(remote.toString()).to.equal("RemoteEnv<PointMassPush-v0>");
    const r = await remote.reset({ seed: 8 });
    const l = local.reset({ seed: 8 });
    expect(r.obs.observation).to.be.instanceOf(Float64Array);
    expect(r.obs).to.deep.equal(l.obs);
    const rng = new Rng(2);
    for (let t = 0; t < 30; t++) {
      const action = remote.actionSpace.sample(rng);
      const rs = await remote.step(action);
      const ls = local.step(action);
      expect(rs).to.deep.equal(ls);
      // The step reward equals computeReward on the step's own goals, across the socket too.
      expect(Array.from(await remote.computeReward(rs.obs.achieved_goal, rs.obs.desired_goal))).to.deep.equal([rs.reward]);
    }
    local.close();
    await remote.close();
    await remote.close();
    await waitFor(() => server.stats().envs === 0);
  });

  it("snapshots, restores and subscribes; envs sharing one client close one by one", async () => {
    const client = await ProtocolClient.connect(server.url);
    const a = await RemoteEnv.make(client, "PointMassReach-v0");
    const b = await RemoteEnv.make(client, "PointMassReach-v0");
    const events: ServerEvent[] = [];
    await a.subscribe((e) => events.push(e));
    await a.reset({ seed: 1 });
    await b.reset({ seed: 1 });
    const snap = await a.snapshot();
    const first = await a.step([0.4, 0.4]);
    await a.restore(snap);
    expect(await a.step([0.4, 0.4])).to.deep.equal(first);
    await b.step([0, 0]);
    expect(events.map((e) => e.event)).to.deep.equal(["scene", "frame", "frame", "frame"]);
    await a.close();
    expect(server.stats().envs).to.equal(1);
    let error: unknown;
    try {
      await a.step([0, 0]);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ProtocolError);
    expect((error as ProtocolError).code).to.equal("UNKNOWN_HANDLE");
    await b.close();
    await client.close();
  });

  it("rejects with the server's code: UNKNOWN_ENV, BAD_ACTION, UNAUTHORIZED", async () => {
    const codeOf = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        return e instanceof ProtocolError ? e.code : String(e);
      }
      return "resolved";
    };
    expect(await codeOf(RemoteEnv.make(server.url, "Nope-v0"))).to.equal("UNKNOWN_ENV");
    const env = await RemoteEnv.make(server.url, "PointMassReach-v0");
    await env.reset();
    expect(await codeOf(env.step([Number.NaN, 0]))).to.equal("BAD_ACTION");
    await env.close();
    const guarded = await RapierGymServer.start({ port: 0, token: "k" });
    expect(await codeOf(RemoteEnv.make(guarded.url, "PointMassReach-v0"))).to.equal("UNAUTHORIZED");
    const ok = await RemoteEnv.make(guarded.url, "PointMassReach-v0", {}, { token: "k" });
    await ok.close();
    await guarded.close();
  });
});
