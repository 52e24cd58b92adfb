/**
 * An ONNX graph under construction: named float inputs and outputs, constants, and nodes of the
 * standard domain (opset 17), serialised to a ModelProto by `onnx-proto` (protobufjs code
 * generated from onnx.proto), so no byte of the format is written by hand.
 *
 * Values are referred to by name (a string), as in ONNX itself. Every helper appends one node and
 * returns the name of its output; the learning graphs (sac-update-graph.ts and its neighbours) are
 * written with them the way CleanRL writes its update with torch ops.
 */
import onnxProto from "onnx-proto";

const { onnx } = onnxProto;

/** A dimension: a size, or a symbolic name (a batch of any size). */
export type Dim = number | string;

/** The ONNX opset the graphs are written against. */
export const OPSET = 17;

/** onnx.proto's IR version 8 (ONNX 1.10+), which every current runtime reads. */
const IR_VERSION = 8;

type AttributeValue = number | number[] | string;

export class Graph {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly constantsByKey = new Map<string, string>();
  private readonly names = new Set<string>();
  private counter = 0;

  constructor(readonly name: string) {}

  /** A float32 graph input. */
  input(name: string, dims: readonly Dim[]): string {
    this.claim(name);
    this.inputs.push(valueInfo(name, dims));
    return name;
  }

  /**
   * Exposes `value` as the float32 graph output `name` (of unstated shape without `dims`), and
   * returns `name`, the value's name from now on. A value computed here is renamed rather than
   * copied: an Identity node per output cost ~5% of an update.
   */
  output(name: string, value: string, dims?: readonly Dim[]): string {
    this.claim(name);
    const producer = this.nodes.find((n) => n.output?.[0] === value);
    if (producer !== undefined && !this.outputs.some((o) => o.name === value)) {
      producer.output = [name];
      for (const n of this.nodes) n.input = (n.input ?? []).map((i) => (i === value ? name : i));
    } else {
      this.op("Identity", [value], {}, name);
    }
    this.outputs.push(valueInfo(name, dims));
    return name;
  }

  /** A float32 constant, shared between every use of the same values and shape. */
  constant(values: readonly number[], dims: readonly number[] = values.length === 1 ? [] : [values.length]): string {
    return this.initializer("c", onnx.TensorProto.DataType.FLOAT, values, dims);
  }

  /** An int64 constant (axes, shapes, slice bounds). */
  ints(values: readonly number[]): string {
    return this.initializer("i", onnx.TensorProto.DataType.INT64, values, [values.length]);
  }

  /** Appends one node; returns its output's name (`out`, or a fresh one). */
  op(type: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}, out?: string): string {
    const output = out ?? this.fresh(type);
    this.nodes.push({
      opType: type,
      input: [...inputs],
      output: [output],
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
    return output;
  }

  // The ops the learning graphs use, named as in ONNX.
  add(a: string, b: string): string {
    return this.op("Add", [a, b]);
  }
  sub(a: string, b: string): string {
    return this.op("Sub", [a, b]);
  }
  mul(a: string, b: string): string {
    return this.op("Mul", [a, b]);
  }
  div(a: string, b: string): string {
    return this.op("Div", [a, b]);
  }
  matMul(a: string, b: string): string {
    return this.op("MatMul", [a, b]);
  }
  /** `x` with its last two axes swapped (`rank` 2 or 3). */
  transpose(x: string, rank: number): string {
    return this.op("Transpose", [x], { perm: rank === 2 ? [1, 0] : [0, 2, 1] });
  }
  reduceSum(x: string, axes: readonly number[], keepDims: boolean): string {
    return this.op("ReduceSum", [x, this.ints(axes)], { keepdims: keepDims ? 1 : 0 });
  }
  reduceMean(x: string, axes: readonly number[], keepDims: boolean): string {
    return this.op("ReduceMean", [x], { axes: [...axes], keepdims: keepDims ? 1 : 0 });
  }
  slice(x: string, start: number, end: number, axis: number): string {
    return this.op("Slice", [x, this.ints([start]), this.ints([end]), this.ints([axis])]);
  }
  concat(values: readonly string[], axis: number): string {
    return this.op("Concat", values, { axis });
  }
  /** A float 0/1 mask where `condition` (a bool tensor) holds. */
  mask(condition: string): string {
    return this.op("Cast", [condition], { to: onnx.TensorProto.DataType.FLOAT });
  }
  /** The `k` smallest (`largest` false) or largest values along the last axis of `x`, sorted; TopK's second output, their indices, is left unused. */
  topK(x: string, k: number, largest: boolean): string {
    const values = this.fresh("TopK");
    this.nodes.push({
      opType: "TopK",
      input: [x, this.ints([k])],
      output: [values, this.fresh("TopK_indices")],
      attribute: [attribute("axis", -1), attribute("largest", largest ? 1 : 0), attribute("sorted", 1)],
    });
    return values;
  }
  /** The number of rows of `x` (its first dimension) as a float scalar. */
  rows(x: string): string {
    const shape = this.op("Shape", [x], { start: 0, end: 1 });
    return this.op("Cast", [this.op("Squeeze", [shape, this.ints([0])])], { to: onnx.TensorProto.DataType.FLOAT });
  }

  /** The serialised model, with `metadata` as its metadata_props. */
  toBytes(metadata: Record<string, string> = {}): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: "rapier-gym",
      opsetImport: [{ domain: "", version: OPSET }],
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  /** How many nodes the graph has (for benchmarks and tests). */
  get nodeCount(): number {
    return this.nodes.length;
  }

  private initializer(prefix: string, dataType: number, values: readonly number[], dims: readonly number[]): string {
    const key = `${dataType}|${dims.join(",")}|${values.join(",")}`;
    const known = this.constantsByKey.get(key);
    if (known !== undefined) return known;
    const name = this.fresh(prefix);
    const tensor: onnxProto.onnx.ITensorProto = { name, dataType, dims: [...dims] };
    if (dataType === onnx.TensorProto.DataType.FLOAT) tensor.floatData = [...values];
    else tensor.int64Data = [...values];
    this.initializers.push(tensor);
    this.constantsByKey.set(key, name);
    return name;
  }

  private fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`Graph ${this.name}: '${name}' is declared twice`);
    this.names.add(name);
  }
}

function valueInfo(name: string, dims?: readonly Dim[]): onnxProto.onnx.IValueInfoProto {
  const elemType = onnx.TensorProto.DataType.FLOAT;
  if (dims === undefined) return { name, type: { tensorType: { elemType } } };
  const dim = dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

function attribute(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  if (typeof value === "string") return { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === "number") return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: value };
}
