/**
 * Exports an actor as a tfjs-layers Sequential model (`model.json` + `weights.bin`), the form a
 * browser loads with `tf.loadLayersModel(url)`. The model outputs [mean, log-std]; the action is
 * `act_limit * tanh(mean)`, with `actLimit` and `actDim` in the model's user-defined metadata.
 */
import * as tf from "@tensorflow/tfjs-core";
import { fileHandler } from "./file-io.js";
import type { Mlp } from "./mlp.js";

export interface PolicyMetadata {
  obsDim: number;
  actDim: number;
  actLimit: number[];
  /** What the model's output holds, for a reader that did not write it. */
  output: "mean,logStd";
}

/** Keras/tfjs-layers JSON of a Sequential stack of ReLU Dense layers with a linear last layer. */
export function sequentialTopology(name: string, net: Mlp): tf.io.ModelJSON["modelTopology"] {
  const layers = [];
  for (let i = 0; i < net.numLayers; i++) {
    const config: Record<string, unknown> = {
      name: `dense_${i + 1}`,
      trainable: true,
      dtype: "float32",
      units: net.sizes[i + 1],
      activation: i === net.numLayers - 1 ? "linear" : "relu",
      use_bias: true,
    };
    if (i === 0) config["batch_input_shape"] = [null, net.sizes[0]];
    layers.push({ class_name: "Dense", config });
  }
  return {
    class_name: "Sequential",
    config: { name, layers },
    keras_version: `tfjs-layers ${tf.version_core}`,
    backend: "tensor_flow.js",
  };
}

/** Writes `dir/model.json` + `dir/weights.bin` for `net` with host-side flat `params`. */
export async function savePolicyModel(dir: string, net: Mlp, params: Float32Array, metadata: PolicyMetadata): Promise<void> {
  const named = net.layout.specs.map((spec) => ({
    name: spec.name,
    tensor: tf.tensor(net.layout.view(params, spec.name), [...spec.shape]),
  }));
  try {
    const { data, specs } = await tf.io.encodeWeights(named);
    await fileHandler(dir).save({
      modelTopology: sequentialTopology("actor", net),
      format: "layers-model",
      weightSpecs: specs,
      weightData: data,
      userDefinedMetadata: { ...metadata },
    });
  } finally {
    for (const { tensor } of named) tensor.dispose();
  }
}
