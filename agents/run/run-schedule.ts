/**
 * What every training config (flat, HAC, relay) shares: the env, the budget, the seed and the
 * evaluation and checkpoint schedule, written once so that the three trainers read the same
 * fields the same way. Each config spreads {@link runScheduleFields} into its own zod object.
 */
import { z } from "zod";
import { ConfigError } from "../config-error.js";

export const runScheduleFields = {
  env: z.string().describe("registered env id"),
  envKwargs: z.record(z.string(), z.unknown()).default({}),
  steps: z.number().int().positive(),
  seed: z.number().int().nonnegative().default(0),
  /** Env steps between evaluations of the deterministic policy. */
  evalEvery: z.number().int().positive().default(10_000),
  evalEpisodes: z.number().int().positive().default(10),
  /** Env steps between checkpoints (taken at the next episode end). */
  checkpointEvery: z.number().int().positive().default(10_000),
};

/** `schema` applied to `value`; a bad config fails with every bad field named. */
export function parseTrainingConfig<T extends z.ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new ConfigError(
      `${where}: bad training config: ${parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; ")}`,
    );
  }
  return parsed.data;
}
