import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EnvError, make, Rng } from "../../sim/index.js";
import { BlockingRemoteEnv } from "../../client/blocking-remote-env.js";
import { selectBackend } from "../../agents/nn/backend.js";
import { SacHerTrainer } from "../../agents/sac/sac-her-trainer.js";
import { readMetrics } from "../../agents/run/metrics-log.js";
import { comparable } from "../agents/run/comparable-metrics.js";

/** A server in its own process: a blocking env stops this thread, which must not be the server's. */
async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [new URL("../../cli/bin.js", import.meta.url).pathname, "serve", "--port", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (ws:\/\/[^\s]+)/.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  return { url, child };
}

describe("server: BlockingRemoteEnv (a synchronous GoalEnv over the socket)", function () {
  this.timeout(120_000);
  let server: { url: string; child: ChildProcess };
  before(async () => {
    server = await startServer();
  });
  after(() => {
    server.child.kill("SIGTERM");
  });

  it("steps bit-identically to the local env, with computeReward, snapshots and the same errors", () => {
    const remote = BlockingRemoteEnv.make(server.url, "PointMassPush-v0", { maxEpisodeSteps: 20 });
    const local = make("PointMassPush-v0", { maxEpisodeSteps: 20 });
    expect(remote.observationSpace.toJSON()).to.deep.equal(local.observationSpace.toJSON());
    expect(remote.reset({ seed: 5 }).obs).to.deep.equal(local.reset({ seed: 5 }).obs);
    const rng = new Rng(3);
    for (let t = 0; t < 20; t++) {
      const a = remote.actionSpace.sample(rng);
      const r = remote.step(a);
      expect(r).to.deep.equal(local.step(a));
      expect(Array.from(remote.computeReward(r.obs.achieved_goal, r.obs.desired_goal))).to.deep.equal([r.reward]);
      if (t === 9) {
        const snap = remote.snapshot();
        const next = remote.step([0.5, 0.5]);
        remote.restore(snap);
        expect(remote.step([0.5, 0.5])).to.deep.equal(next);
        local.step([0.5, 0.5]);
      }
    }
    expect(() => remote.step([Number.NaN, 0])).to.throw(EnvError, /BAD_ACTION|action/);
    remote.close();
    remote.close();
    expect(() => remote.step([0, 0])).to.throw(EnvError, /closed/);
    local.close();
    expect(() => BlockingRemoteEnv.make(server.url, "Nope-v0")).to.throw(EnvError, /Nope-v0/);
  });

  it("trains against the server to exactly the metrics of a local run", async () => {
    await selectBackend();
    const dir = mkdtempSync(join(tmpdir(), "rapier-gym-remote-"));
    try {
      const config = {
        env: "PointMassReach-v0",
        algo: "sac",
        steps: 300,
        startSteps: 100,
        evalEvery: 300,
        evalEpisodes: 1,
        checkpointEvery: 200,
        sac: { hidden: [8, 8], batchSize: 16 },
      };
      const local = SacHerTrainer.start(join(dir, "local"), config);
      await local.run();
      local.close();
      const remote = SacHerTrainer.start(join(dir, "remote"), config, (id, kwargs) => BlockingRemoteEnv.make(server.url, id, kwargs));
      await remote.run();
      remote.close();
      expect(comparable(readMetrics(join(dir, "remote", "metrics.jsonl")))).to.deep.equal(
        comparable(readMetrics(join(dir, "local", "metrics.jsonl"))),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
