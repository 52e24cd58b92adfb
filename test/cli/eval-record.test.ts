/**
 * `eval --record FILE`: a finished run's evaluation episodes, every one, as a demo file that the
 * viewer's playback replays through the simulator to the same states the policy reached.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readDemoFile } from "../../agents/demos/demo-file.js";
import { demoRow } from "../../agents/demos/demo-set.js";
import { selectBackend } from "../../agents/nn/backend.js";
import { SacHerTrainer } from "../../agents/sac/sac-her-trainer.js";
import { DemoFileRecordings } from "../../bridge/demo-recordings.js";
import { runEval } from "../../cli/eval-command.js";

describe("eval --record: evaluation episodes for the viewer's playback", function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), "rapier-gym-eval-record-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes every episode, and playback reaches the positions the policy did", async () => {
    await selectBackend();
    const run = join(dir, "run");
    const trainer = SacHerTrainer.start(run, {
      env: "PointMassReach-v0",
      envKwargs: { maxEpisodeSteps: 25 },
      algo: "sac",
      steps: 60,
      startSteps: 30,
      evalEvery: 60,
      evalEpisodes: 1,
      sac: { hidden: [16, 16], batchSize: 16 },
    });
    await trainer.run();
    trainer.close();
    const file = join(dir, "eval.demos");
    const log = console.log;
    console.log = () => undefined;
    try {
      expect(await runEval(run, 3, 7, undefined, file)).to.equal(0);
    } finally {
      console.log = log;
    }
    const set = readDemoFile(file);
    expect(set.seeds).to.deep.equal([7, 8, 9]);
    expect(set.episodeLengths).to.deep.equal([25, 25, 25]);
    const library = new DemoFileRecordings([file]);
    expect(library.list()[0]).to.deep.include({ recording: "eval.demos", env: "PointMassReach-v0", source: run });
    const { frames } = library.episode("eval.demos", 1);
    expect(frames).to.have.length(26);
    // Row t holds what the env showed before action t: frame t's mass position, to float32 precision.
    for (const t of [0, 12, 24]) {
      const [x, y] = demoRow(set, "obs", 1, t);
      expect(frames[t]!.poses[0]).to.be.closeTo(x!, 1e-3);
      expect(frames[t]!.poses[1]).to.be.closeTo(y!, 1e-3);
    }
  });
});
