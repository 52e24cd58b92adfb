/**
 * Named parameter tensors packed into one flat vector.
 *
 * An optimiser step over one long vector is a dozen element-wise ops whatever the number of
 * layers; over separate tensors it is a dozen per tensor, and at SAC sizes op count, not FLOPs,
 * is what costs. The vector is split into views once per use (one SplitV op) and gradients are
 * joined back with one concat.
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

  /** Views of the flat vector as the named shapes, in spec order. */
  split(flat: tf.Tensor1D): tf.Tensor[] {
    const parts = tf.split(flat, [...this.sizes]);
    return parts.map((part, i) => tf.reshape(part, [...this.specs[i]!.shape]));
  }

  /** The inverse of {@link split}: one flat vector from tensors in spec order. */
  join(tensors: readonly tf.Tensor[]): tf.Tensor1D {
    if (tensors.length !== this.specs.length) {
      throw new Error(`ParamLayout.join: expected ${this.specs.length} tensors, got ${tensors.length}`);
    }
    return tf.concat(tensors.map((t) => tf.reshape(t, [-1])));
  }

  /** The slice of a host-side flat vector holding one named parameter. */
  view(flat: Float32Array, name: string): Float32Array {
    let offset = 0;
    for (let i = 0; i < this.specs.length; i++) {
      if (this.specs[i]!.name === name) return flat.subarray(offset, offset + this.sizes[i]!);
      offset += this.sizes[i]!;
    }
    throw new Error(`ParamLayout: no parameter named '${name}'`);
  }

  /** A new layout with every name prefixed, for nets that share one vector (twin critics). */
  prefixed(prefix: string): ParamLayout {
    return new ParamLayout(this.specs.map((s) => ({ name: `${prefix}/${s.name}`, shape: s.shape })));
  }

  /** Layouts laid end to end. */
  static concat(layouts: readonly ParamLayout[]): ParamLayout {
    return new ParamLayout(layouts.flatMap((l) => l.specs));
  }
}
