import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selectBackend } from "../../../agents/nn/backend.js";
import { SacHerTrainer } from "../../../agents/sac/sac-her-trainer.js";
import { readMetrics } from "../../../agents/run/metrics-log.js";
import { runPaths } from "../../../agents/run/run-dir.js";

/**
 * The arm's learning check (issue 5): SAC + HER with the seed preset solves PandaReach-v0 (the
 * tool to a goal within 5 cm, 50-step episodes) within 20k env steps, as panda-gym's users see
 * it solved. Evaluations of 50 deterministic episodes every 2k steps; the test passes on the
 * first one at 95% or more, and fails if none reaches it by 20k. Run by `npm run test:slow`.
 */
describe("@slow SAC + HER on PandaReach-v0", function () {
  this.timeout(0);
  const steps = 20_000;
  const evalEvery = 2_000;
  let dir: string;
  before(async () => {
    await selectBackend();
    dir = mkdtempSync(join(tmpdir(), "rapier-gym-panda-reach-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(`reaches at least 95% eval success within ${steps} env steps (seed preset)`, async function (this: Mocha.Context) {
    const trainer = SacHerTrainer.start(dir, {
      env: "PandaReach-v0",
      algo: "sac",
      preset: "seed",
      steps,
      seed: 0,
      evalEvery,
      evalEpisodes: 50,
      checkpointEvery: steps,
    });
    const evals = (): { step: number; success: number }[] =>
      readMetrics(runPaths(dir).metrics).flatMap((r) =>
        typeof r["eval/success"] === "number" ? [{ step: Number(r["step"]), success: r["eval/success"] }] : [],
      );
    try {
      while (trainer.step < steps && !evals().some((e) => e.success >= 0.95)) await trainer.run({ until: trainer.step + evalEvery });
    } finally {
      trainer.close();
    }
    const curve = evals();
    this.test!.title += ` (eval success by step: ${curve.map((e) => `${e.step}: ${e.success.toFixed(2)}`).join(", ")})`;
    expect(curve).to.not.be.empty;
    expect(Math.max(...curve.map((e) => e.success))).to.be.at.least(0.95);
  });
});
