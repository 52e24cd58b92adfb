/**
 * Picks what the learner runs on: ONNX Runtime (`ort`, onnxruntime-node's native CPU build, the
 * default whenever it loads), else a tfjs backend: native `tfjs-node` when installed, the
 * WebAssembly build that ships inside `@tensorflow/tfjs-backend-wasm`, or plain-JS `cpu`.
 *
 * `tfjs-node` is never a dependency (its install step downloads libtensorflow), so it is imported
 * by a computed specifier: a missing package must mean "not available", not a type error.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import path from "node:path";
import { backendOrder, type BackendName } from "./backend-names.js";
import { ortUnavailableReason } from "./ort-session.js";

export { backendOrder, type BackendName } from "./backend-names.js";

let selected: BackendName | null = null;
let threads = 1;

/**
 * The engine new SAC agents use: `ort` once selected, or by default when nothing was selected
 * and ORT loads; else tfjs on its active backend.
 */
export function learnerEngine(): "ort" | "tfjs" {
  if (selected !== null) return selected === "ort" ? "ort" : "tfjs";
  return ortUnavailableReason() === null ? "ort" : "tfjs";
}

/** ONNX Runtime's intra-op threads for new agents. @defaultValue 1 (`experiment` runs one process per core) */
export function ortThreads(): number {
  return threads;
}

export function setOrtThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`--threads must be a positive integer, got ${n}`);
  threads = n;
}

const tfjsNodeSpecifier = "@tensorflow/tfjs-node";

/**
 * Activates a backend and returns its name. With no name, the first of {@link backendOrder} that
 * initialises wins; with a name, that backend or a clear error saying why it cannot run.
 */
export async function selectBackend(name?: BackendName): Promise<BackendName> {
  if (name !== undefined) {
    if (!backendOrder.includes(name)) {
      throw new Error(`unknown backend '${String(name)}': expected one of ${backendOrder.join(", ")}`);
    }
    const failure = await activate(name);
    if (failure !== null) throw new Error(`backend '${name}' is not available: ${failure}`);
    selected = name;
    return name;
  }
  const failures: string[] = [];
  for (const candidate of backendOrder) {
    const failure = await activate(candidate);
    if (failure === null) {
      selected = candidate;
      return candidate;
    }
    failures.push(`${candidate}: ${failure}`);
  }
  throw new Error(`no backend could start (${failures.join("; ")})`);
}

/** The backends that can start here, in {@link backendOrder}; leaves the selected one unchanged. */
export async function availableBackends(): Promise<BackendName[]> {
  const previous = tf.getBackend();
  const usable: BackendName[] = [];
  for (const candidate of backendOrder) {
    if ((await activate(candidate)) === null) usable.push(candidate);
  }
  if (previous !== undefined) await tf.setBackend(previous);
  return usable;
}

/** Tries to make `name` the active backend; returns null on success, else the reason. */
async function activate(name: BackendName): Promise<string | null> {
  // tfjs-cpu greets its first tensor in Node with advice to install tfjs-node, which is wrong
  // where ONNX Runtime learns and tfjs only reads and writes files; PROD is tfjs's switch for it.
  tf.env().set("PROD", name === "ort");
  try {
    // ORT needs tfjs only to read and write tfjs-format files: the plain-JS backend serves.
    if (name === "ort")
      return ortUnavailableReason() ?? ((await tf.setBackend("cpu")) ? null : "the cpu backend (for file I/O) failed to initialise");
    if (name === "node") {
      // tfjs-node registers the "tensorflow" backend as a side effect of being imported.
      await import(tfjsNodeSpecifier);
      return (await tf.setBackend("tensorflow")) ? null : "the 'tensorflow' backend failed to initialise";
    }
    if (name === "wasm") {
      pointWasmAtPackageFiles();
      return (await tf.setBackend("wasm")) ? null : "the wasm module failed to initialise";
    }
    return (await tf.setBackend("cpu")) ? null : "the cpu backend failed to initialise";
  } catch (error) {
    if (name === "node" && isModuleNotFound(error)) {
      return `${tfjsNodeSpecifier} is not installed (npm install ${tfjsNodeSpecifier} to use it)`;
    }
    return error instanceof Error ? error.message : String(error);
  }
}

let wasmPathsSet = false;

/**
 * In Node the wasm backend would otherwise look for its `.wasm` files next to the running script;
 * a directory prefix makes it read them from the package with `fs`.
 */
function pointWasmAtPackageFiles(): void {
  if (wasmPathsSet) return;
  const require = createRequire(import.meta.url);
  const simdFile = require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm");
  setWasmPaths(path.dirname(simdFile) + path.sep);
  wasmPathsSet = true;
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND";
}
