/**
 * A tf.io handler for a directory on disk, in the format tfjs loads over HTTP: `<stem>.json`
 * (topology, weights manifest, metadata) next to one `<stem>.bin` of weights.
 *
 * tfjs-core only ships browser handlers (the file one is in tfjs-node). Writes are atomic, a temp
 * file fsynced then renamed, so a kill mid-save leaves the previous files whole.
 */
import * as tf from "@tensorflow/tfjs-core";
import fs from "node:fs";
import path from "node:path";

/** An IOHandler that always has both directions. */
export type FileHandler = Required<Pick<tf.io.IOHandler, "save" | "load">>;

/** Handler for `dir/<stem>.json` + `dir/<stem>.bin`; `model` gives tfjs's usual `model.json` + `weights.bin`. */
export function fileHandler(dir: string, stem = "model"): FileHandler {
  const jsonPath = path.join(dir, `${stem}.json`);
  const binName = stem === "model" ? "weights.bin" : `${stem}.bin`;
  const binPath = path.join(dir, binName);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      fs.mkdirSync(dir, { recursive: true });
      const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format ?? "layers-model",
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-core v${tf.version_core}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [binName], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.userDefinedMetadata !== undefined) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      writeAtomic(binPath, new Uint8Array(weightData));
      writeAtomic(jsonPath, new TextEncoder().encode(JSON.stringify(modelJson)));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const modelJson = JSON.parse(fs.readFileSync(jsonPath, "utf8")) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const buffers = manifest.flatMap((group) => group.paths.map((p) => fs.readFileSync(path.join(dir, p))));
        const data = tf.io.concatenateArrayBuffers(buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)));
        return [specs, data];
      });
    },
  };
}

/** Writes a temp file, fsyncs it and renames it over `file`: a kill mid-write leaves the old file whole. */
export function writeAtomic(file: string, bytes: Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeSync(fd, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
