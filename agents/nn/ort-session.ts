/**
 * A synchronous ONNX Runtime session (onnxruntime-node's CPU build, MLAS kernels).
 *
 * onnxruntime-node's public `InferenceSession.run` is async only in that it defers the native
 * call, which is synchronous, by one `setImmediate`. The training loops here are synchronous (one
 * env step, then its updates), and making every act and update a promise would thread `await`
 * through every env step of every trainer for no gain, so this calls the package's native session
 * directly: the same object the public API wraps, its calls made with the same arguments. The
 * package version is pinned; {@link ortUnavailableReason} and a test check the contract still
 * holds.
 */
import { createRequire } from "node:module";
import type { Tensor } from "onnxruntime-node";

export type OrtTensor = Tensor;

interface NativeSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): unknown;
  run(feeds: Record<string, Tensor>, fetches: Record<string, Tensor | null>, options: object): Record<string, Tensor>;
  inputMetadata: { name: string }[];
  outputMetadata: { name: string }[];
  dispose(): void;
}

interface OrtModule {
  Tensor: new (type: "float32", data: Float32Array, dims: readonly number[]) => Tensor;
}

interface BindingModule {
  binding: { InferenceSession: new () => NativeSession };
  initOrt(): void;
}

let loaded: { ort: OrtModule; binding: BindingModule } | null = null;
let failure: string | null = null;

function load(): { ort: OrtModule; binding: BindingModule } {
  if (loaded !== null) return loaded;
  if (failure !== null) throw new Error(failure);
  try {
    const require = createRequire(import.meta.url);
    const ort = require("onnxruntime-node") as OrtModule;
    const binding = require("onnxruntime-node/dist/binding.js") as BindingModule;
    binding.initOrt();
    loaded = { ort, binding };
    return loaded;
  } catch (error) {
    failure = `onnxruntime-node could not load: ${error instanceof Error ? error.message : String(error)}`;
    throw new Error(failure);
  }
}

/** A float32 tensor over `data` (no copy). */
export function ortTensor(data: Float32Array, dims: readonly number[]): Tensor {
  return new (load().ort.Tensor)("float32", data, dims);
}

export class OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  private readonly native: NativeSession;

  /** `threads`: ORT's intra-op threads (1 when one process runs per core). */
  constructor(model: Uint8Array, threads: number) {
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`ORT threads must be a positive integer, got ${threads}`);
    const { binding } = load();
    this.native = new binding.binding.InferenceSession();
    const options = { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: "sequential", graphOptimizationLevel: "all" };
    // Without callbacks the native load completes before it returns; the promise it also returns
    // is settled already, so an error shows as empty metadata here and is raised by the promise.
    const pending = this.native.loadModel(model.buffer, model.byteOffset, model.byteLength, options);
    if (pending instanceof Promise) pending.catch(() => undefined);
    if (this.native.inputMetadata.length === 0 && this.native.outputMetadata.length === 0) {
      throw new Error("onnxruntime-node did not load the model synchronously (an unsupported onnxruntime-node version?)");
    }
    this.inputNames = this.native.inputMetadata.map((m) => m.name);
    this.outputNames = this.native.outputMetadata.map((m) => m.name);
  }

  /**
   * Runs the graph. Outputs given a tensor in `fetches` are written into it in place; the others
   * (null) come back as new tensors.
   */
  run(feeds: Record<string, Tensor>, fetches: Record<string, Tensor | null>): Record<string, Tensor> {
    return this.native.run(feeds, fetches, {});
  }

  dispose(): void {
    this.native.dispose();
  }
}

/** Null when ORT loads and runs here, else why not. */
export function ortUnavailableReason(): string | null {
  try {
    load();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
