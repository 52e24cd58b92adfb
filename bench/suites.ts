/**
 * The benchmark suites by name, each loaded only when run: `rapier-gym bench` runs them, and its
 * usage lists these names, so a suite added here is both runnable and listed.
 */
import type { BenchResult } from "./bench-result.js";

export const BENCH_SUITES: Readonly<Record<string, () => Promise<BenchResult>>> = {
  sim: async () => (await import("./sim.js")).benchSim(),
  learn: async () => (await import("./learn.js")).benchLearn(),
  server: async () => (await import("./server.js")).benchServer(),
  viewer: async () => (await import("./viewer.js")).benchViewer(),
  train: async () => (await import("./train.js")).benchTrain(),
};
