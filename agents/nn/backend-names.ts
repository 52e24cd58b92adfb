/**
 * The learner's backends by name, apart from the code that starts them: the CLI lists and checks
 * these without loading tfjs or ONNX Runtime (a command like `envs` never pays for either).
 */
export type BackendName = "ort" | "node" | "wasm" | "cpu";

/** Fastest first: the order a backend is picked in when none is named. */
export const backendOrder: readonly BackendName[] = ["ort", "node", "wasm", "cpu"];
