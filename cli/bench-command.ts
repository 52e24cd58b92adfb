import { printBench, type BenchResult } from "../bench/bench-result.js";
import { UsageError } from "./main.js";

const SUITES: Record<string, () => Promise<BenchResult>> = {
  sim: async () => (await import("../bench/sim.js")).benchSim(),
  learn: async () => (await import("../bench/learn.js")).benchLearn(),
  server: async () => (await import("../bench/server.js")).benchServer(),
  viewer: async () => (await import("../bench/viewer.js")).benchViewer(),
};

/** `rapier-gym bench <suite>`; `all` runs every suite, each ending with its JSON line. */
export async function runBench(suite: string): Promise<number> {
  const names = suite === "all" ? Object.keys(SUITES) : [suite];
  for (const name of names) {
    const run = SUITES[name];
    if (!run) throw new UsageError(`unknown bench suite "${name}" (known: ${Object.keys(SUITES).join(", ")}, all)`);
    printBench(await run());
  }
  return 0;
}
