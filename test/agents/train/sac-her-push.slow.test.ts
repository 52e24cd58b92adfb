import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selectBackend } from "../../../agents/nn/backend.js";
import { SacHerTrainer } from "../../../agents/train/sac-her-trainer.js";
import { readMetrics } from "../../../agents/train/metrics-log.js";

/**
 * The learner's real check: the seed preset (the post's hyperparameters) with correct HER on the
 * post's push task. Run by `npm run test:slow`; it trains for RAPIER_GYM_SLOW_STEPS env steps
 * (default 300k, about the post's horizon for flat HER); the final evaluation (50 episodes) must
 * place the block in at least 80% of them.
 */
describe("@slow SAC + HER on PointMassPush-v0", function () {
  this.timeout(0);
  const steps = Number(process.env["RAPIER_GYM_SLOW_STEPS"] ?? 300_000);
  let dir: string;
  before(async () => {
    await selectBackend();
    dir = mkdtempSync(join(tmpdir(), "rapier-gym-slow-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(`reaches at least 80% eval success within ${steps} env steps (seed preset)`, async () => {
    const trainer = SacHerTrainer.start(dir, { env: "PointMassPush-v0", algo: "sac", preset: "seed", steps, seed: 0, evalEvery: 10_000, evalEpisodes: 50 });
    await trainer.run();
    trainer.close();
    const evals = readMetrics(join(dir, "metrics.jsonl")).filter((r) => typeof r["eval/success"] === "number");
    const final = evals[evals.length - 1];
    expect(final?.step).to.equal(steps);
    expect(final?.["eval/success"]).to.be.at.least(0.8);
  });
});
