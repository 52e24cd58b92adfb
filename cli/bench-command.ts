import { printBench } from "../bench/bench-result.js";
import { BENCH_SUITES } from "../bench/suites.js";
import { UsageError } from "./usage-error.js";

/** `rapier-gym bench <suite>`; `all` runs every suite, each ending with its JSON line. */
export async function runBench(suite: string): Promise<number> {
  const names = suite === "all" ? Object.keys(BENCH_SUITES) : [suite];
  for (const name of names) {
    const run = BENCH_SUITES[name];
    if (!run) throw new UsageError(`unknown bench suite "${name}" (known: ${Object.keys(BENCH_SUITES).join(", ")}, all)`);
    printBench(await run());
  }
  return 0;
}
