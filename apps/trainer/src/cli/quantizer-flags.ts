/**
 * The flags of `vaejs train --quantizer`: which quantiser each flag belongs to (one given to another is refused, as
 * a flag of another model is), and the VQ-VAE quantiser config they describe.
 */
import { InvalidArgumentError } from '@commander-js/extra-typings';
import { quantizerSizes, type VqVaeConfig } from '@vaejs/vqvae';
import { type AnyCommand, isGiven, kebab } from './options';
import { shown, UsageError } from './parse';

export const QUANTIZERS = ['vq', 'fsq', 'lfq', 'rvq'] as const;
export type Quantizer = (typeof QUANTIZERS)[number];

/** The quantisers each flag applies to. */
export const QUANTIZER_FLAGS: Record<string, readonly Quantizer[]> = {
  levels: ['fsq'],
  numQuantizers: ['rvq'],
  sharedCodebook: ['rvq'],
  quantizerDropout: ['rvq'],
  rotationTrick: ['vq', 'rvq'],
  codebookDim: ['vq', 'rvq'],
  orthogonalWeight: ['vq', 'rvq'],
  entropyWeight: ['lfq'],
};

/** Flags of the VQ-VAE that not every quantiser takes (FSQ's sizes come from its levels, LFQ's D from K). */
const SIZE_AND_CODEBOOK_FLAGS: Record<string, readonly Quantizer[]> = {
  codeDim: ['vq', 'rvq'],
  codebookSize: ['vq', 'rvq', 'lfq'],
  ema: ['vq', 'rvq'],
  restartThreshold: ['vq', 'rvq'],
  commitmentCost: ['vq', 'rvq', 'lfq'],
};

/** `<list>`: FSQ levels, comma-separated integers ≥ 2 (`8,4,4`). */
export function levelList(value: string): number[] {
  const levels = value.split(',').map((part) => Number(part.trim()));
  if (levels.length === 0 || levels.some((level) => !Number.isInteger(level) || level < 2)) {
    throw new InvalidArgumentError(`comma-separated integers ≥ 2 (e.g. 8,4,4), got ${shown(value)}`);
  }
  return levels;
}

/** What the quantiser flags hold. */
export interface QuantizerFlags {
  quantizer?: Quantizer | undefined;
  codeDim: number;
  codebookSize: number;
  ema: boolean;
  restartThreshold: number;
  commitmentCost?: number | undefined;
  levels?: number[] | undefined;
  numQuantizers?: number | undefined;
  sharedCodebook?: boolean | undefined;
  quantizerDropout?: boolean | undefined;
  rotationTrick?: boolean | undefined;
  codebookDim?: number | undefined;
  orthogonalWeight?: number | undefined;
  entropyWeight?: number | undefined;
}

/** Refuses a flag given with a quantiser it does not fit, and LFQ's K that is not a power of two. */
export function checkQuantizerFlags(fn: string, command: AnyCommand, flags: QuantizerFlags): void {
  const kind = flags.quantizer ?? 'vq';
  for (const [key, kinds] of Object.entries({ ...QUANTIZER_FLAGS, ...SIZE_AND_CODEBOOK_FLAGS })) {
    if (isGiven(command, key) && !kinds.includes(kind)) {
      const why = key in SIZE_AND_CODEBOOK_FLAGS && kind === 'fsq' ? ' (FSQ takes its sizes from --levels)' : '';
      throw new UsageError(
        `${fn}: expected --${kebab(key)} only with --quantizer ${kinds.join(' | ')}, got it with --quantizer ${kind}${why}.`,
      );
    }
  }
  if (kind === 'lfq' && !Number.isInteger(Math.log2(flags.codebookSize))) {
    throw new UsageError(
      `${fn}: expected --codebook-size a power of two with --quantizer lfq (2^bits), got ${flags.codebookSize}.`,
    );
  }
  if (flags.orthogonalWeight && flags.ema) {
    throw new UsageError(
      `${fn}: expected --orthogonal-weight with --no-ema (an EMA codebook takes no gradient), got --ema.`,
    );
  }
}

/** The VQ-VAE's sizes and quantiser config the flags describe (what they leave out takes the package's default). */
export function quantizerConfig(flags: QuantizerFlags): Pick<VqVaeConfig, 'dim' | 'codebookSize' | 'quantizer'> {
  const kind = flags.quantizer ?? 'vq';
  const levels = flags.levels ?? [8, 4, 4];
  const sizes = quantizerSizes(kind, { dim: flags.codeDim, codebookSize: flags.codebookSize, levels });
  if (kind === 'fsq') return { ...sizes, quantizer: { kind, levels } };
  const beta = flags.commitmentCost !== undefined ? { beta: flags.commitmentCost } : {};
  if (kind === 'lfq') {
    const entropy = flags.entropyWeight !== undefined ? { entropyWeight: flags.entropyWeight } : {};
    return { ...sizes, quantizer: { kind, ...beta, ...entropy } };
  }
  const { numQuantizers, sharedCodebook, quantizerDropout } = flags;
  const residual = kind === 'rvq' ? { numQuantizers, sharedCodebook, quantizerDropout } : {};
  return {
    ...sizes,
    quantizer: {
      kind,
      ...residual,
      ema: flags.ema,
      deadCodeThreshold: flags.restartThreshold,
      kmeansInit: true,
      ...beta,
      ...(flags.rotationTrick ? { gradient: 'rotation' as const } : {}),
      ...(flags.codebookDim !== undefined ? { codebookDim: flags.codebookDim } : {}),
      ...(flags.orthogonalWeight !== undefined ? { orthogonalWeight: flags.orthogonalWeight } : {}),
    },
  };
}
