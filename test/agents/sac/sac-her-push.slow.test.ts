import { expect } from "chai";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selectBackend } from "../../../agents/nn/backend.js";
import { SacHerTrainer } from "../../../agents/sac/sac-her-trainer.js";
import { readMetrics } from "../../../agents/run/metrics-log.js";
import { extendRunBudget, runPaths } from "../../../agents/run/run-dir.js";

/**
 * The learner's real check: the seed preset (the post's hyperparameters) with correct HER on the
 * post's push task. Run by `npm run test:slow`. It trains for at most RAPIER_GYM_SLOW_STEPS env
 * steps (default 500k, the post's horizon for flat HER), evaluating 50 deterministic episodes
 * every 20k, and passes as soon as one evaluation places the block in at least 80% of them; the
 * learning curve must reach the mark, and training on past it proves nothing more. Seed 0 gets
 * there at 320k (docs/benchmarks.md), about 2.5 hours here.
 *
 * Set RAPIER_GYM_SLOW_DIR to keep the run directory: an interrupted test then resumes from its
 * last checkpoint instead of starting over (a 300k run can take more than one sitting), and a
 * larger RAPIER_GYM_SLOW_STEPS extends a kept run's budget.
 */
describe("@slow SAC + HER on PointMassPush-v0", function () {
  this.timeout(0);
  const steps = Number(process.env["RAPIER_GYM_SLOW_STEPS"] ?? 500_000);
  const keptDir = process.env["RAPIER_GYM_SLOW_DIR"];
  const evalEvery = 20_000;
  let dir: string;
  before(async () => {
    await selectBackend();
    dir = keptDir ?? mkdtempSync(join(tmpdir(), "rapier-gym-slow-"));
  });
  after(() => {
    if (keptDir === undefined) rmSync(dir, { recursive: true, force: true });
  });

  it(`reaches at least 80% eval success within ${steps} env steps (seed preset)`, async () => {
    const resuming = existsSync(runPaths(dir).config);
    if (resuming) extendRunBudget(dir, steps);
    const trainer = resuming
      ? SacHerTrainer.resume(dir)
      : SacHerTrainer.start(dir, {
          env: "PointMassPush-v0",
          algo: "sac",
          preset: "seed",
          steps,
          seed: 0,
          evalEvery,
          evalEpisodes: 50,
          checkpointEvery: evalEvery,
        });
    const successes = (): number[] =>
      readMetrics(runPaths(dir).metrics).flatMap((r) => (typeof r["eval/success"] === "number" ? [r["eval/success"]] : []));
    try {
      while (trainer.step < steps && !successes().some((s) => s >= 0.8)) {
        await trainer.run({ until: trainer.step + evalEvery });
      }
    } finally {
      trainer.close();
    }
    expect(successes()).to.not.be.empty;
    expect(Math.max(...successes())).to.be.at.least(0.8);
  });
});
