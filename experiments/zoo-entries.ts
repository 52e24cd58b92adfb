/**
 * The zoo (experiments/zoo/<env>.json): for each Panda task, the SAC + HER config tuned to learn it
 * on this project's machine, as an experiment of its own (one condition per algorithm, three
 * seeds), so that `rapier-gym zoo` trains, resumes, submits to Slurm and reports it with the
 * machinery of `rapier-gym experiment`.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../agents/config-error.js";

export const ZOO_DIR = new URL("zoo/", import.meta.url).pathname;

/** The env ids the zoo has an entry for, in the order the README's table lists them. */
export function zooIds(dir: string = ZOO_DIR): string[] {
  const order = ["Reach", "Push", "Slide", "PickAndPlace", "Stack"];
  const rank = (id: string) => order.findIndex((task) => id.startsWith(`Panda${task}-`));
  return readdirSync(dir)
    .flatMap((f) => /^(.+)\.json$/.exec(f)?.[1] ?? [])
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The entry's file, which `experiment` also accepts; an unknown id is refused with the ids there are. */
export function zooFile(id: string, dir: string = ZOO_DIR): string {
  const file = join(dir, `${id}.json`);
  if (!existsSync(file)) throw new ConfigError(`the zoo has no entry ${id}: its entries are ${zooIds(dir).join(", ")}`);
  return file;
}
