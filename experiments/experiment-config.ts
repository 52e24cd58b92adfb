/**
 * One experiment of the post (docs/original-code.md §4): the env, the conditions compared, the budget,
 * and what the post reported, so that the report can set our numbers beside its.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { ConfigError } from "../agents/config-error.js";

/** Demonstrations an experiment collects before its runs (`rapier-gym collect`). */
const demoSpecSchema = z
  .object({
    /** Collect on another env than the experiment's (e.g. single-block demos for two blocks). */
    env: z.string().optional(),
    /** The collecting env's kwargs (e.g. the reward the runs train under); a condition sets its own in `config.envKwargs`. */
    envKwargs: z.record(z.string(), z.unknown()).default({}),
    /**
     * "expert" (the scripted expert), or a finished flat run's directory, from the repository's
     * root, whose final policy acts deterministically: the author collected every PointMass demo
     * set from a trained flat SAC + HER model (docs/original-code.md §3.6; policies/push-sac-seed0 is one).
     */
    source: z.string().min(1),
    steps: z.number().int().positive(),
    maxEpisodeSteps: z.number().int().positive().default(100),
    seed: z.number().int().nonnegative().default(0),
  })
  .strict();

export type DemoSpec = z.infer<typeof demoSpecSchema>;

/**
 * The returns a condition of an experiment can be judged by: its training episodes, its own
 * deterministic evaluations, or its shadow learner's (E5). Each has its success metric beside it.
 */
export const RETURN_METRICS = ["train/return", "eval/return", "shadow/eval/return"] as const;
export type ReturnMetric = (typeof RETURN_METRICS)[number];

/** E1, E1b, ...: the post's experiments; a zoo entry is named for its env (PandaPush-v0). */
const idSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9._-]*$/);

/** Another experiment: its id, or its file (.json, from experiments/, e.g. a zoo entry's "zoo/PandaPush-v0.json"). */
const experimentRefSchema = z.union([idSchema, z.string().regex(/^[^\0]+\.json$/)]);

export const experimentSchema = z
  .object({
    id: idSchema,
    title: z.string(),
    /** The post's figure this reproduces (reference/figures/). */
    figure: z.string().optional(),
    env: z.string(),
    steps: z.number().int().positive(),
    defaultSeeds: z.number().int().positive().default(3),
    /**
     * The 100-episode average return whose first crossing the report gives per run: the post's
     * -100 on PointMass (200-step episodes of -1 per step); a Panda task's 50-step episodes need
     * their own. @defaultValue -100
     */
    threshold: z.number().max(0).default(-100),
    /**
     * The average return whose first crossing marks where learning starts, which a shortened
     * budget can still compare when a condition never reaches `threshold`: 5% of an episode's
     * steps at the goal on average, -190 on PointMass. Set it above what chance gives: PandaPush
     * starts some cubes on their goals, so a policy that has learned nothing scores about -46 there
     * (E9's flat runs at 100k), and E9 starts at -40.
     * @defaultValue -190
     */
    startThreshold: z.number().max(0).default(-190),
    /**
     * Named demo sets, collected once into the runs folder; a condition's config refers to one
     * with the string "$demos:<name>", which the runner replaces with the file's path.
     */
    demos: z.record(z.string(), demoSpecSchema).default({}),
    conditions: z
      .array(
        z
          .object({
            label: z.string(),
            /** The training config of this condition, without env, steps and seed (cli/train-command.ts). */
            config: z
              .record(z.string(), z.unknown())
              .refine((c) => c["algo"] === "sac" || c["algo"] === "hac" || c["algo"] === "rpl", "config.algo must be sac, hac or rpl"),
            /**
             * The return this condition is judged by: training episodes, or evaluations (deterministic
             * policy): the run's own, or its shadow learner's (E5).
             */
            metric: z.enum(RETURN_METRICS).default("train/return"),
            /** Reads the runs of the condition with this label instead of training its own (E5's shadow learner). */
            runsOf: z.string().optional(),
            /**
             * Trains (or extends to this experiment's budget) the runs of that experiment's
             * condition with the same config, instead of runs of its own: flat SAC + HER on
             * PointMassPush is one set of runs for E1, E5 and E7, and the zoo's PandaPush-v0 entry
             * ("zoo/PandaPush-v0.json") is E9's flat condition. Its config may use no demo set.
             */
            sameRunsAs: experimentRefSchema.optional(),
            /**
             * This condition's own budget, below the experiment's, where the post ran it shorter:
             * E7's relay and BC one layer end at 250k in its relayvsBC figure, while its HAC and
             * flat curves run to 700k. `--steps` shortens it as it does the experiment's.
             * @defaultValue the experiment's
             */
            steps: z.number().int().positive().optional(),
            /**
             * The post's figures for this condition, in words and, where it gave one, the step its
             * return reached the threshold; `never` where the post shows it never reaching it (a
             * failure, rather than a figure not given), so that the report can say whether we agree.
             */
            post: z.object({ text: z.string(), stepsToThreshold: z.number().nullable(), never: z.literal(true).optional() }).strict(),
          })
          .strict(),
      )
      .min(1)
      .refine(
        (cs) => cs.every((c) => c.runsOf === undefined || cs.some((o) => o.label === c.runsOf && o.runsOf === undefined)),
        "runsOf must name a condition that trains its own runs",
      )
      .refine(
        (cs) => cs.every((c) => c.runsOf === undefined || c.sameRunsAs === undefined),
        "a condition reads runsOf or sameRunsAs, not both",
      ),
    /**
     * The condition the report sets every other one against, by label: the post measured its
     * methods against flat SAC + HER, and a first condition that never learns (E7's relay) gives
     * no ratio at all. @defaultValue the first condition
     */
    baseline: z.string().optional(),
    /** The post's conclusion (a zoo entry: the published reference's), quoted in the report. */
    postSummary: z.string(),
    /**
     * A zoo entry's target: the final evaluation success rate its tuned config aims for
     * (experiments/zoo/, `rapier-gym zoo`); absent for the post's experiments and where none is set.
     */
    successGoal: z.number().min(0).max(1).optional(),
  })
  .strict()
  .refine((e) => e.conditions.every((c) => c.steps === undefined || c.steps <= e.steps), {
    message: "a condition's steps must be at most the experiment's",
    path: ["conditions"],
  })
  .refine((e) => e.startThreshold < e.threshold, { message: "startThreshold must be below threshold", path: ["startThreshold"] })
  .refine((e) => e.baseline === undefined || e.conditions.some((c) => c.label === e.baseline), {
    message: "baseline must be the label of one of the conditions",
    path: ["baseline"],
  });

export type Experiment = z.infer<typeof experimentSchema>;

export const EXPERIMENTS_DIR = new URL(".", import.meta.url).pathname;

/** The ids of the experiments in experiments/ (E1, E1b, E4, ...), in order. */
export function experimentIds(): string[] {
  return readdirSync(EXPERIMENTS_DIR)
    .flatMap((f) => /^(E\d+[a-z]?)\.json$/.exec(f)?.[1] ?? [])
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

/**
 * The experiment `id` names: one of experiments/<id>.json, or, for a path ending in .json, the
 * user's own experiment file (a cluster's array tasks load it by the same path).
 */
export function loadExperiment(id: string): Experiment {
  const path = id.endsWith(".json") ? id : `${EXPERIMENTS_DIR}${id}.json`;
  if (!existsSync(path)) {
    throw new ConfigError(
      id.endsWith(".json") ? `no experiment file ${id}` : `no experiment ${id}: the experiments are ${experimentIds().join(", ")}`,
    );
  }
  const parsed = experimentSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!parsed.success) throw new ConfigError(`${path}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

/**
 * The condition whose runs a `sameRunsAs` condition shares: the other experiment's condition that
 * trains its own runs with the same env and config. `runsDir` is where an experiment file keeps its
 * runs (`runs/<id>/` beside it, as `rapier-gym experiment <file>` does); null for an experiment of
 * experiments/ by id, whose runs sit beside this experiment's.
 */
export function sharedRunsCondition(
  e: Experiment,
  c: Experiment["conditions"][number],
  load: (id: string) => Experiment = loadExperiment,
): { experiment: Experiment; condition: Experiment["conditions"][number]; runsDir: string | null } {
  const ref = c.sameRunsAs!;
  const file = ref.endsWith(".json") ? resolve(EXPERIMENTS_DIR, ref) : null;
  const other = load(file ?? ref);
  const match = other.conditions.find((o) => o.runsOf === undefined && o.sameRunsAs === undefined && isDeepStrictEqual(o.config, c.config));
  if (other.env !== e.env || match === undefined) {
    throw new ConfigError(
      `${e.id} "${c.label}": sameRunsAs ${ref}, but ${other.id} has no condition with the config ${JSON.stringify(c.config)} on ${e.env}`,
    );
  }
  return { experiment: other, condition: match, runsDir: file === null ? null : join(dirname(file), "runs", other.id) };
}

/** The env steps condition `c` trains and is reported to under the budget `steps` (`--steps`, or the experiment's). */
export function conditionSteps(c: Experiment["conditions"][number], steps: number): number {
  return Math.min(steps, c.steps ?? steps);
}

/** A condition's label as a directory name. */
export function slug(label: string): string {
  return label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}
