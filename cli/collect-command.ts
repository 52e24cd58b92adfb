import { resolve } from "node:path";
import { make } from "../sim/index.js";
import { selectBackend, type BackendName } from "../agents/nn/backend.js";
import { collectDemos } from "../agents/demos/collect.js";
import { writeDemoFile } from "../agents/demos/demo-file.js";
import { demoSteps } from "../agents/demos/demo-set.js";
import { openDemoSource, type DemoSource } from "../agents/demos/demo-source.js";
import { pandaExpertFor } from "../agents/experts/panda-expert.js";
import { ProgressBar } from "./progress-bar.js";
import { UsageError } from "./usage-error.js";

export interface CollectArgs {
  env: string;
  /** The env's kwargs (e.g. the reward's metric and threshold), recorded in the file. */
  envKwargs?: Record<string, unknown>;
  /** "expert" or a flat run directory. */
  source: string;
  episodes?: number;
  steps?: number;
  maxEpLen: number;
  seed: number;
  out: string;
  backend?: BackendName;
}

/**
 * `rapier-gym collect`: successful episodes of the expert or of a trained flat policy, written
 * to a demo file (agents/demos/README.md), with a progress bar over the episodes or steps kept.
 */
export async function runCollect(args: CollectArgs): Promise<number> {
  if (args.source !== "expert") process.stderr.write(`backend: ${await selectBackend(args.backend)}\n`);
  const envKwargs = args.envKwargs ?? {};
  const env = make(args.env, envKwargs);
  // A source that is not one, or that never succeeds, is the user's to fix: one line, no stack.
  // The Panda ids with a scripted expert use it; every other source is opened as for PointMass.
  const pandaExpert = args.source === "expert" ? pandaExpertFor(args.env) : undefined;
  const source: DemoSource = pandaExpert
    ? { policy: pandaExpert, label: "expert", dispose: () => {} }
    : await openDemoSource(args.source, env).catch((e: unknown) => {
        env.close();
        throw new UsageError(e instanceof Error ? e.message : String(e));
      });
  const total = args.episodes ?? args.steps!;
  const bar = new ProgressBar({ total, label: `collect ${args.env}` });
  try {
    const set = asUsageError(() =>
      collectDemos({
        env,
        envId: args.env,
        envKwargs,
        policy: source.policy,
        source: source.label,
        ...(args.episodes !== undefined ? { episodes: args.episodes } : { steps: args.steps! }),
        maxEpLen: args.maxEpLen,
        seed: args.seed,
        onEpisode: (p) =>
          bar.update(Math.min(total, args.episodes !== undefined ? p.kept : p.keptSteps), {
            return: p.return,
            success: p.kept / p.attempts,
          }),
      }),
    );
    bar.finish();
    const out = resolve(args.out);
    writeDemoFile(out, set);
    const attempts = set.seeds.at(-1)! - args.seed + 1;
    console.log(
      `${out}: ${set.episodeLengths.length} successful episodes (${demoSteps(set)} steps) of ${attempts} tried, from ${source.label}`,
    );
  } finally {
    source.dispose();
    env.close();
  }
  return 0;
}

function asUsageError<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}
