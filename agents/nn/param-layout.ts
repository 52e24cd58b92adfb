/**
 * Named parameter tensors and their host-side form, one flat Float32Array (for init,
 * checkpoints and saving).
 *
 * On the device the parameters stay separate tensors: slicing one long vector would be cheaper in
 * op count, but the wasm backend's Slice copies its whole input to the JS heap first, so every
 * view of a 130k-element vector costs ~0.2 ms whatever its size.
 */
import * as tf from "@tensorflow/tfjs-core";

export interface ParamSpec {
  /** Unique within a layout, e.g. `qf1/dense_2/kernel` (tfjs-layers weight naming). */
  readonly name: string;
  readonly shape: readonly number[];
}

export class ParamLayout {
  readonly specs: readonly ParamSpec[];
  /** Number of scalars in each spec, in order. */
  readonly sizes: readonly number[];
  /** Total number of scalars. */
  readonly size: number;

  constructor(specs: readonly ParamSpec[]) {
    const names = new Set(specs.map((s) => s.name));
    if (names.size !== specs.length) throw new Error("ParamLayout: duplicate parameter names");
    this.specs = specs;
    this.sizes = specs.map((s) => s.shape.reduce((a, b) => a * b, 1));
    this.size = this.sizes.reduce((a, b) => a + b, 0);
  }

  /** Device tensors, in spec order, from a host flat vector. The caller owns them. */
  toTensors(flat: Float32Array): tf.Tensor[] {
    if (flat.length !== this.size) throw new Error(`ParamLayout: expected ${this.size} values, got ${flat.length}`);
    let offset = 0;
    return this.specs.map((spec, i) => {
      const t = tf.tensor(flat.subarray(offset, offset + this.sizes[i]!), [...spec.shape]);
      offset += this.sizes[i]!;
      return t;
    });
  }

  /** The host flat vector of tensors in spec order. */
  toFlat(tensors: readonly tf.Tensor[]): Float32Array {
    if (tensors.length !== this.specs.length) {
      throw new Error(`ParamLayout: expected ${this.specs.length} tensors, got ${tensors.length}`);
    }
    const flat = new Float32Array(this.size);
    let offset = 0;
    tensors.forEach((t, i) => {
      flat.set(t.dataSync() as Float32Array, offset);
      offset += this.sizes[i]!;
    });
    return flat;
  }

  /** The slice of a host flat vector holding one named parameter. */
  view(flat: Float32Array, name: string): Float32Array {
    let offset = 0;
    for (let i = 0; i < this.specs.length; i++) {
      if (this.specs[i]!.name === name) return flat.subarray(offset, offset + this.sizes[i]!);
      offset += this.sizes[i]!;
    }
    throw new Error(`ParamLayout: no parameter named '${name}'`);
  }

  /** A new layout with every name prefixed, for nets that share one optimiser (twin critics). */
  prefixed(prefix: string): ParamLayout {
    return new ParamLayout(this.specs.map((s) => ({ name: `${prefix}/${s.name}`, shape: s.shape })));
  }

  /** Layouts laid end to end. */
  static concat(layouts: readonly ParamLayout[]): ParamLayout {
    return new ParamLayout(layouts.flatMap((l) => l.specs));
  }
}
