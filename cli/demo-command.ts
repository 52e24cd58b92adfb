/**
 * `rapier-gym demo` (what `npm start` runs): the server and its viewer, with agents acting live
 * in it, so that a newcomer opening the printed URL watches something real within seconds. The
 * agents are the trained policies shipped in the repository's `policies/` (each a run directory:
 * config.json, metrics.jsonl and policy/; a HAC one shows its subgoal ghosts and value map, and
 * its learning curve), up to three, hierarchies first, then the scripted experts (Panda arm and point mass), four
 * sessions in all: the viewer's four tiles always show a learnt agent beside an expert.
 * Every session takes goals dragged in the viewer.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { AgentSession, type LiveAgent } from "../server/agent-session.js";
import type { ServerLimits } from "../server/limits.js";
import { make, type GoalEnv } from "../sim/index.js";
import { expertAgent, hacAgent, sacAgent } from "../bridge/live-agents.js";
import { startViewerServer, untilSignal } from "./serve-command.js";
import { ConfigError } from "../agents/config-error.js";

/** The scripted experts' sessions, in order, until four sessions run. */
const EXPERT_ENVS = ["PandaPickAndPlace-v0", "PointMassPush-v0", "PointMassPush2-v0", "PandaPush-v0"];
const MAX_SESSIONS = 4;
/** Shipped policies shown at most, so that one tile is left to an expert. */
const MAX_POLICIES = 3;

export interface DemoOptions {
  host: string;
  port: number;
  token?: string;
  limits: Partial<ServerLimits>;
  seed: number;
  /** The folder of shipped policies. @defaultValue "policies" */
  policies: string;
  recordings?: string[];
}

export async function runDemo(options: DemoOptions): Promise<number> {
  const policyDirs = shippedPolicies(options.policies);
  const server = await startViewerServer({ ...options, runs: policyDirs.length > 0 ? [options.policies, "runs"] : ["runs"] });
  const agents: { env: GoalEnv; agent: LiveAgent }[] = [];
  for (const dir of policyDirs.slice(0, MAX_POLICIES)) agents.push(await loadPolicy(dir));
  EXPERT_ENVS.slice(0, MAX_SESSIONS - agents.length).forEach((id) => agents.push({ env: make(id), agent: expertAgent(id) }));
  const sessions = agents.map(({ env, agent }, i) => new AgentSession(server.live, env, agent, { seed: options.seed + 1000 * i }));
  console.log(`rapier-gym demo: ${sessions.map((s) => `${s.live.source.env} (${s.live.source.label})`).join(", ")}`);
  console.log(`rapier-gym demo: open ${server.url.replace(/^ws:/, "http:")}/ in a browser; Ctrl-C stops`);
  await untilSignal(server, "demo", () => {
    for (const s of sessions) s.stop();
  });
  return 0;
}

/**
 * The run directories under `folder` that hold a policy, in the order the demo shows them:
 * hierarchies first, since their subgoal ghosts and value maps are what the viewer shows that
 * nothing else does, then the flat ones, each group by name.
 */
export function shippedPolicies(folder: string): string[] {
  if (!existsSync(folder)) return [];
  const dirs = readdirSync(folder)
    .sort()
    .map((d) => join(folder, d))
    .filter((d) => existsSync(join(d, "policy")));
  return [...dirs.filter(isHierarchy), ...dirs.filter((d) => !isHierarchy(d))];
}

/** A run directory whose policy is a hierarchy (policy/hac.json), not flat SAC. */
const isHierarchy = (dir: string): boolean => existsSync(join(dir, "policy", "hac.json"));

/** A shipped policy and a fresh env of its run: a hierarchy (policy/hac.json) or flat SAC. */
async function loadPolicy(dir: string): Promise<{ env: GoalEnv; agent: LiveAgent }> {
  const { selectBackend } = await import("../agents/nn/backend.js");
  const { readRunConfig } = await import("../agents/run/run-dir.js");
  await selectBackend();
  const config = readRunConfig(dir) as { env?: unknown; envKwargs?: Record<string, unknown>; algo?: unknown };
  if (typeof config.env !== "string") throw new ConfigError(`${dir}/config.json names no env`);
  const env = make(config.env, config.envKwargs ?? {});
  const policy = join(dir, "policy");
  if (isHierarchy(dir)) {
    const { Hac } = await import("../agents/hac/hac.js");
    return { env, agent: hacAgent(await Hac.load(policy, env), `${String(config.algo ?? "hac")} policy ${dir}`) };
  }
  const { loadRunPolicy } = await import("../agents/sac/run-policy.js");
  return {
    env,
    agent: sacAgent(
      await loadRunPolicy(policy, env.observationSpace.box("desired_goal").size),
      `${String(config.algo ?? "sac")} policy ${dir}`,
    ),
  };
}
