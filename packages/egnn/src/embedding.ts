import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from './errors.js';
import { gatherRows } from './ops/gather-rows.js';
import { assertPositiveInt, GraphLayer, type GraphLayerArgs, type LayerConfig } from './layer.js';

/** Arguments of {@link SpeciesEmbedding}. */
export interface SpeciesEmbeddingArgs extends GraphLayerArgs {
  /** Feature size F. */
  units: number;
  /** Largest atomic number accepted (the table has `maxAtomicNumber + 1` rows; row 0 is unused). Default 100. */
  maxAtomicNumber?: number;
}

/**
 * Learned per-element features: row Z of a `[maxAtomicNumber + 1, F]` table for an atom with atomic number Z, so
 * `int32 [N]` atomic numbers give `[N, F]` features. Initialised N(0, 1) like PyTorch's `nn.Embedding`; its gradient
 * is a segment sum over the atoms (never a dense scatter).
 *
 * @example
 * ```ts
 * const embed = new SpeciesEmbedding({ units: 4 });
 * embed.apply(tf.tensor1d([6, 8], 'int32')).shape; // [2, 4]
 * ```
 */
export class SpeciesEmbedding extends GraphLayer<SpeciesEmbeddingArgs, tf.Tensor1D, tf.Tensor2D> {
  static className = 'SpeciesEmbedding';
  readonly units: number;
  readonly maxAtomicNumber: number;
  /** The table `[maxAtomicNumber + 1, F]`, created by {@link build}. */
  table!: tf.Variable;

  constructor(args: SpeciesEmbeddingArgs) {
    super(args);
    assertPositiveInt('SpeciesEmbedding', 'units', args.units);
    this.units = args.units;
    this.maxAtomicNumber = args.maxAtomicNumber ?? 100;
    assertPositiveInt('SpeciesEmbedding', 'maxAtomicNumber', this.maxAtomicNumber);
  }

  override build(): void {
    if (this.built) return;
    this.table = this.addWeight('table', [this.maxAtomicNumber + 1, this.units], { kind: 'normal' });
    super.build();
  }

  computeOutputShape(inputShape: number[]): number[] {
    return [inputShape[0], this.units];
  }

  call(atomicNumbers: tf.Tensor1D): tf.Tensor2D {
    if (!(atomicNumbers instanceof tf.Tensor) || atomicNumbers.dtype !== 'int32' || atomicNumbers.rank !== 1) {
      throw new InvalidArgumentError(
        'SpeciesEmbedding',
        'atomicNumbers',
        `must be an int32 tensor of shape [N], got ${atomicNumbers instanceof tf.Tensor ? `${atomicNumbers.dtype} [${atomicNumbers.shape}]` : String(atomicNumbers)}`,
        atomicNumbers,
      );
    }
    return gatherRows(this.table as tf.Tensor as tf.Tensor2D, atomicNumbers);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), units: this.units, maxAtomicNumber: this.maxAtomicNumber };
  }
}
