import type { FiniteScalarQuantizer } from './fsq';
import type { LookupFreeQuantizer } from './lfq';
import type { ResidualVectorQuantizer } from './residual-vq';
import type { VectorQuantizer } from './vector-quantizer';

/** The quantiser of a VQ-VAE, by `kind`: narrow with `if (quantizer.kind === 'vq')` to reach the EMA state. */
export type AnyQuantizer = VectorQuantizer | FiniteScalarQuantizer | LookupFreeQuantizer | ResidualVectorQuantizer;
