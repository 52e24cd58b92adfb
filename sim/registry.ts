/**
 * register / make / specs, as Gymnasium's registry. `make` validates kwargs before building
 * anything and wraps the env as Gymnasium does: PassiveEnvChecker, then OrderEnforcing, then
 * TimeLimit; with `timeFeature: true`, TimeFeature (the time left in the observation) outermost.
 */
import { z } from "zod";
import { EnvError, type GoalEnv, isGoalEnv } from "./core/env.js";
import type { Box, Dict } from "./core/spaces.js";
import { TimeFeature } from "./wrappers/time-feature.js";
import { TimeLimit } from "./wrappers/time-limit.js";
import { OrderEnforcing } from "./wrappers/order-enforcing.js";
import { PassiveEnvChecker } from "./wrappers/passive-env-checker.js";

export interface EnvRegistration {
  id: string;
  /** Builds the bare env from validated kwargs (without `maxEpisodeSteps`, which make consumes). */
  entryPoint: (kwargs: Record<string, unknown>) => GoalEnv;
  /** The env's own kwargs; `maxEpisodeSteps` and `timeFeature` are added by the registry. */
  kwargs: z.ZodObject;
  /** Kwargs fixed by this id (e.g. rewardType for the Dense ids). */
  defaults?: Record<string, unknown>;
  maxEpisodeSteps: number;
  /** One line for `rapier-gym envs`. */
  summary: string;
}

export interface SpecInfo {
  id: string;
  summary: string;
  maxEpisodeSteps: number;
  observationSpace: Dict;
  actionSpace: Box;
}

const registry = new Map<string, EnvRegistration>();

export function register(reg: EnvRegistration): void {
  if (registry.has(reg.id)) throw new Error(`env id ${reg.id} is already registered`);
  if (!/^[A-Za-z][A-Za-z0-9]*-v\d+$/.test(reg.id)) throw new Error(`env id ${reg.id} is not of the form Name-vN`);
  registry.set(reg.id, reg);
}

/** Registered ids, in registration order. */
export function envIds(): string[] {
  return [...registry.keys()];
}

export function registration(id: string): EnvRegistration {
  const reg = registry.get(id);
  if (!reg) {
    const near = envIds().filter((k) => editDistance(k.toLowerCase(), id.toLowerCase()) <= 3);
    throw new EnvError(
      "UNKNOWN_ENV",
      `unknown env id "${id}"${near.length ? `; did you mean ${near.join(", ")}?` : ""} (known: ${envIds().join(", ")})`,
    );
  }
  return reg;
}

/** What builds an env by id: `make` here, or an env on a server (`rapier-gym train --remote`). */
export type EnvMaker = (id: string, kwargs?: Record<string, unknown>) => GoalEnv;

/** Builds a registered env by id, wrapped, with validated kwargs. */
export function make(id: string, kwargs: Record<string, unknown> = {}): GoalEnv {
  const reg = registration(id);
  const schema = reg.kwargs
    .extend({ maxEpisodeSteps: z.number().int().positive().optional(), timeFeature: z.boolean().optional() })
    .strict();
  const parsed = schema.safeParse({ ...reg.defaults, ...kwargs });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
    throw new EnvError("BAD_KWARGS", `${id}: bad kwargs: ${problems}`);
  }
  const { maxEpisodeSteps, timeFeature, ...envKwargs } = parsed.data as Record<string, unknown> & {
    maxEpisodeSteps?: number;
    timeFeature?: boolean;
  };
  const limit = maxEpisodeSteps ?? reg.maxEpisodeSteps;
  const bare = reg.entryPoint(envKwargs);
  const limited = new TimeLimit(new OrderEnforcing(new PassiveEnvChecker(bare)), limit);
  const env = timeFeature === true ? new TimeFeature(limited) : limited;
  const spec = { id, kwargs: { ...envKwargs, ...(timeFeature === true ? { timeFeature } : {}) }, maxEpisodeSteps: limit };
  bare.spec = spec;
  env.spec = spec;
  if (!isGoalEnv(env)) throw new Error(`${id} did not build a goal env`);
  return env;
}

export function specInfo(id: string): SpecInfo {
  const env = make(id);
  try {
    return {
      id,
      summary: registration(id).summary,
      maxEpisodeSteps: registration(id).maxEpisodeSteps,
      observationSpace: env.observationSpace,
      actionSpace: env.actionSpace,
    };
  } finally {
    env.close();
  }
}

/** Levenshtein distance, for "did you mean" on a mistyped id (ids are short: O(nm) is fine). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length]!;
}
