/**
 * train --serve's pieces for real: a short HAC run whose trainer hands its evaluation episodes to
 * a TrainingStream; once training is done (the main thread is free again to be a client), the
 * server in the worker lists the run's evaluations as a live session, replays them with the
 * subgoal ghosts and the value map, and serves the run's curves.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HacTrainer } from "../../agents/hac/hac-trainer.js";
import { selectBackend } from "../../agents/nn/backend.js";
import { TrainingStream } from "../../cli/train-serve.js";
import { metricsResult, listResult, sessionFrameEvent, sessionSceneEvent, valueMapEvent } from "../../protocol/messages.js";
import { frameFromWire } from "../../protocol/wire-frame.js";
import { RawClient } from "../../client/raw-client.js";

describe("train --serve: evaluation episodes and curves from a worker-thread server", function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), "rapier-gym-train-serve-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("replays a HAC run's evaluations with subgoal ghosts and a value map, and serves its metrics", async () => {
    await selectBackend();
    const run = join(dir, "hac");
    const stream = await TrainingStream.start({ host: "127.0.0.1", port: 0, run });
    const client = await RawClient.open(stream.url);
    try {
      const trainer = HacTrainer.start(run, {
        env: "PointMassPush-v0",
        envKwargs: { maxEpisodeSteps: 20 },
        algo: "hac",
        steps: 120,
        startSteps: 40,
        evalEvery: 60,
        evalEpisodes: 2,
        checkpointEvery: 1000,
      });
      trainer.evalObserver = stream;
      stream.hac = trainer.agent;
      await trainer.run();
      trainer.close();

      const list = listResult.parse(await client.ok({ id: 1, op: "list" }));
      const live = list.sessions.find((s) => s.source === "run")!;
      expect(live).to.deep.include({ env: "PointMassPush-v0", label: `evaluations of ${run}`, takesGoal: false });
      expect(list.runs.map((r) => r.run)).to.deep.equal([run]);
      // Before watching: once watched, the replay's frames arrive between replies.
      const metrics = metricsResult.parse(await client.ok({ id: 3, op: "metrics", run }));
      expect(metrics.rows.filter((r) => r["eval/success"] !== undefined).map((r) => r["step"])).to.deep.equal([60, 120]);
      await client.ok({ id: 2, op: "watch", session: live.session });
      const scene = sessionSceneEvent.parse(await client.next()).scene;
      expect(scene.markers.map((m) => m.name)).to.deep.equal(["goal_0", "subgoal_0"]);
      let sawGhost = false;
      let sawMap = false;
      for (let i = 0; i < 30 && !(sawGhost && sawMap); i++) {
        const event = (await client.next()) as { event: string };
        if (event.event === "valueMap") sawMap = valueMapEvent.parse(event).map.q.length === 80 * 80;
        else if (frameFromWire(sessionFrameEvent.parse(event), scene.markers).markers["subgoal_0"]) sawGhost = true;
      }
      expect(sawGhost, "a frame with the subgoal ghost").to.equal(true);
      expect(sawMap, "the value map").to.equal(true);
    } finally {
      await client.close();
      await stream.close();
    }
  });
});
