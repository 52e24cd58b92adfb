import { readFileSync } from "node:fs";
import { join } from "node:path";
import { selectBackend, type BackendName } from "../agents/nn/backend.js";
import { SacHerTrainer } from "../agents/train/sac-her-trainer.js";
import { UsageError } from "./main.js";

export interface TrainArgs {
  env?: string;
  algo: string;
  preset: string;
  steps?: number;
  seed: number;
  out: string;
  config?: string;
  resume: boolean;
  backend?: BackendName;
}

/**
 * `rapier-gym train`: starts a run in `--out`, or with `--resume` continues the one there. A
 * config file gives any field of the training config; flags override it.
 */
export async function runTrain(args: TrainArgs): Promise<number> {
  const backend = await selectBackend(args.backend);
  process.stderr.write(`tfjs backend: ${backend}\n`);
  if (args.algo !== "sac") throw new UsageError(`--algo ${args.algo} is not available yet (available: sac)`);
  let trainer: SacHerTrainer;
  if (args.resume) {
    trainer = SacHerTrainer.resume(args.out);
    process.stderr.write(`resuming ${args.out} at step ${trainer.step}\n`);
  } else {
    const fromFile: Record<string, unknown> = args.config ? JSON.parse(readFileSync(args.config, "utf8")) : {};
    const config = {
      ...fromFile,
      algo: args.algo,
      preset: args.preset,
      seed: args.seed,
      ...(args.env !== undefined ? { env: args.env } : {}),
      ...(args.steps !== undefined ? { steps: args.steps } : {}),
    };
    if (config.env === undefined) throw new UsageError("train needs --env (or an env in --config)");
    if (config.steps === undefined) throw new UsageError("train needs --steps (or steps in --config)");
    trainer = SacHerTrainer.start(args.out, config);
  }
  try {
    await trainer.run();
  } finally {
    trainer.close();
  }
  process.stderr.write(`run saved in ${args.out}: metrics.jsonl, plots/, policy/ (${join(args.out, "policy", "model.json")})\n`);
  return 0;
}
