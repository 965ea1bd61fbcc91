/**
 * A model's tensors by name, as vaejs stores them (the tfjs layouts: NHWC images, dense kernels [in, out], conv
 * kernels [kh, kw, in, out]), read and written through the contract every model implements, `save` and `restore`:
 * the names are the weights' own in their part (`enc_conv_0/kernel`, `vector_quantizer/codebook`). What the PyTorch
 * bridge moves across, for any kind, without this package knowing one.
 *
 * Writing goes through `restore`, so a model takes only tensors that fit it: every weight it has, none other, each of
 * its shape and dtype and finite; the model's own checks (its config, its state) apply as when it resumes a run.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, describeValue, formatExpected, type ModelManifest, type TrainableModel } from '@vaejs/core';
import type { SafetensorsDtype, SafetensorsTensor } from './safetensors';

/** What {@link readModelTensors} returns. */
export interface ModelTensors {
  /** What `model.save` returned: format, config, parts, and the kind's own state (a VQ-VAE's `initialized`). */
  manifest: ModelManifest;
  /** Every weight and state tensor of every part, by name, in the order the parts store them. */
  tensors: Record<string, SafetensorsTensor>;
}

/** Options of {@link writeModelTensors}. */
export interface WriteModelTensorsOptions {
  /** The first word of messages. Default `'writeModelTensors'`. */
  fn?: string;
  /** What the tensors came from, in messages (`'model.safetensors'`). Default `'tensors'`. */
  source?: string;
  /** Manifest fields beyond format, version, config and parts to restore with them (a VQ-VAE's `initialized`). */
  state?: Record<string, unknown>;
}

/**
 * Every tensor of `model` by name, copied out (the model keeps its own).
 * @throws CheckpointError when two parts name a tensor alike (the names would not say which is which)
 * @example const { manifest, tensors } = await readModelTensors(vqvae); // tensors['vector_quantizer/codebook'].shape: [128, 16]
 */
export async function readModelTensors(model: TrainableModel): Promise<ModelTensors> {
  const { manifest, parts } = await capture(model);
  const tensors: Record<string, SafetensorsTensor> = {};
  for (const [part, artifacts] of parts) {
    const data = joined(artifacts.weightData);
    let offset = 0;
    for (const spec of artifacts.weightSpecs ?? []) {
      const dtype = dtypeOf('readModelTensors', spec);
      const count = spec.shape.reduce((a, b) => a * b, 1);
      if (tensors[spec.name] !== undefined) {
        throw new CheckpointError(
          formatExpected(
            'readModelTensors',
            `part '${part}' weight names`,
            'unique across parts',
            `'${spec.name}' twice`,
          ),
        );
      }
      const values = data.slice(offset, offset + count * 4);
      tensors[spec.name] = {
        dtype,
        shape: [...spec.shape],
        data: dtype === 'float32' ? new Float32Array(values) : new Int32Array(values),
      };
      offset += count * 4;
    }
  }
  return { manifest, tensors };
}

/**
 * Sets `tensors` into `model` (through `model.restore`): every tensor the model has must be there, of its shape and
 * dtype, finite, and no other. Checked before anything is set: on an error the model is unchanged.
 * @throws CheckpointError naming the first tensor that is missing, extra, or of another shape or dtype, e.g.
 *   `vaejs import: expected model.safetensors tensor 'enc_conv_0/kernel' of shape [3,3,1,32], got [3,3,1,16].`
 * @example await writeModelTensors(vqvae, decodeSafetensors(bytes).tensors, { state: { initialized: true } });
 */
export async function writeModelTensors(
  model: TrainableModel,
  tensors: Record<string, SafetensorsTensor>,
  options: WriteModelTensorsOptions = {},
): Promise<void> {
  const fn = options.fn ?? 'writeModelTensors';
  const source = options.source ?? 'tensors';
  const { manifest, parts } = await capture(model);
  const wanted = new Set([...parts.values()].flatMap((artifacts) => (artifacts.weightSpecs ?? []).map((s) => s.name)));
  const extra = Object.keys(tensors).find((name) => !wanted.has(name));
  if (extra !== undefined) {
    throw new CheckpointError(
      formatExpected(fn, `${source}`, "only the model's tensors", `'${extra}', which it has not`),
    );
  }
  const replaced = new Map<string, tf.io.ModelArtifacts>();
  for (const [part, artifacts] of parts) {
    const specs = artifacts.weightSpecs ?? [];
    const chunks = specs.map((spec) => checkedTensor(fn, source, spec, tensors[spec.name]).data);
    const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength), at);
      at += chunk.byteLength;
    }
    replaced.set(part, { ...artifacts, weightData: bytes.buffer });
  }
  const restored = { ...manifest, ...(options.state ?? {}) };
  await model.restore(restored, (part) => tf.io.fromMemory(replaced.get(part) as tf.io.ModelArtifacts));
}

// helpers

/** The manifest `model.save` returns and the artifacts of each part, kept in memory. */
async function capture(model: TrainableModel) {
  const parts = new Map<string, tf.io.ModelArtifacts>();
  const manifest = await model.save((part) =>
    tf.io.withSaveHandler(async (artifacts) => {
      parts.set(part, artifacts);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return { manifest, parts };
}

function joined(weightData: tf.io.ModelArtifacts['weightData']): ArrayBuffer {
  if (weightData === undefined) return new ArrayBuffer(0);
  if (!Array.isArray(weightData)) return weightData;
  const out = new Uint8Array(weightData.reduce((sum, buffer) => sum + buffer.byteLength, 0));
  let at = 0;
  for (const buffer of weightData) {
    out.set(new Uint8Array(buffer), at);
    at += buffer.byteLength;
  }
  return out.buffer;
}

function dtypeOf(fn: string, spec: tf.io.WeightsManifestEntry): 'float32' | 'int32' {
  if ((spec.dtype === 'float32' || spec.dtype === 'int32') && spec.quantization === undefined) return spec.dtype;
  throw new CheckpointError(formatExpected(fn, `weight '${spec.name}' dtype`, 'float32 or int32', `${spec.dtype}`));
}

/** The tensor for `spec`, checked: there, of its dtype and shape, finite. */
function checkedTensor(
  fn: string,
  source: string,
  spec: tf.io.WeightsManifestEntry,
  tensor: SafetensorsTensor | undefined,
): SafetensorsTensor {
  const argument = `${source} tensor '${spec.name}'`;
  if (tensor === undefined) throw new CheckpointError(formatExpected(fn, argument, "(one of the model's)", 'none'));
  const dtype: SafetensorsDtype = dtypeOf(fn, spec);
  if (tensor.dtype !== dtype) throw new CheckpointError(formatExpected(fn, `${argument} dtype`, dtype, tensor.dtype));
  if (tensor.shape.length !== spec.shape.length || tensor.shape.some((size, axis) => size !== spec.shape[axis])) {
    throw new CheckpointError(
      formatExpected(fn, argument, `of shape [${spec.shape}]`, `[${tensor.shape.map(describeValue)}]`),
    );
  }
  if (dtype === 'float32') {
    const index = (tensor.data as Float32Array).findIndex((value) => !Number.isFinite(value));
    if (index >= 0) {
      throw new CheckpointError(formatExpected(fn, argument, 'finite values', `${tensor.data[index]} at ${index}`));
    }
  }
  return tensor;
}
