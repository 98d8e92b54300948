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
  /**
   * Fixed descriptors per row (at most `maxAtomicNumber + 1` rows of D numbers each; missing rows are zeros). When
   * given, the features of row Z are `table[Z] + descriptors[Z] · projection` with a learned `[D, F]` projection
   * shared by every element, and the free table starts at zero: elements seen rarely in training get the features
   * their descriptors imply (radius, electronegativity, …) instead of an untrained random row.
   */
  descriptors?: readonly (readonly number[])[];
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
  /** The fixed descriptors `[maxAtomicNumber + 1, D]` as given (undefined without them). */
  readonly descriptors: readonly (readonly number[])[] | undefined;
  /** The free table `[maxAtomicNumber + 1, F]`, created by {@link build}. */
  table!: tf.Variable;
  /** The shared projection `[D, F]` of the descriptors, created by {@link build} when there are descriptors. */
  projection: tf.Variable | undefined;
  private descriptorMatrix: tf.Tensor2D | undefined;

  constructor(args: SpeciesEmbeddingArgs) {
    super(args);
    assertPositiveInt('SpeciesEmbedding', 'units', args.units);
    this.units = args.units;
    this.maxAtomicNumber = args.maxAtomicNumber ?? 100;
    assertPositiveInt('SpeciesEmbedding', 'maxAtomicNumber', this.maxAtomicNumber);
    this.descriptors = args.descriptors;
    if (args.descriptors !== undefined) checkDescriptors(args.descriptors, this.maxAtomicNumber + 1);
  }

  override build(): void {
    if (this.built) return;
    const rows = this.maxAtomicNumber + 1;
    const d = this.descriptors;
    this.table = this.addWeight('table', [rows, this.units], { kind: d ? 'zeros' : 'normal' });
    if (d) {
      const width = d[0].length;
      this.projection = this.addWeight('projection', [width, this.units], { kind: 'uniform', fanIn: width });
      const values = new Float32Array(rows * width);
      for (let z = 0; z < d.length; z++) values.set(d[z], z * width);
      this.descriptorMatrix = tf.keep(tf.tensor2d(values, [rows, width]));
    }
    super.build();
  }

  /**
   * The features of every row, `[maxAtomicNumber + 1, F]`: the free table, plus the projected descriptors when there
   * are any. Call inside `tf.tidy` (or a gradient scope).
   */
  features(): tf.Tensor2D {
    this.build();
    const table = this.table as tf.Tensor as tf.Tensor2D;
    if (!this.projection || !this.descriptorMatrix) return table;
    return tf.add(table, tf.matMul(this.descriptorMatrix, this.projection as tf.Tensor as tf.Tensor2D));
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
    return gatherRows(this.features(), atomicNumbers);
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      units: this.units,
      maxAtomicNumber: this.maxAtomicNumber,
      ...(this.descriptors ? { descriptors: this.descriptors.map((r) => [...r]) } : {}),
    };
  }

  override dispose(): void {
    this.descriptorMatrix?.dispose();
    this.descriptorMatrix = undefined;
    super.dispose();
  }
}

function checkDescriptors(d: readonly (readonly number[])[], rows: number): void {
  const fail = (why: string) => {
    throw new InvalidArgumentError('SpeciesEmbedding', 'descriptors', why, d);
  };
  if (!Array.isArray(d) || d.length === 0 || d.length > rows) {
    fail(`must be 1 to ${rows} rows of numbers, got ${Array.isArray(d) ? d.length : typeof d} rows`);
  }
  const width = d[0]?.length;
  if (!(Number.isInteger(width) && width > 0)) fail('rows must hold at least one number');
  d.forEach((row, z) => {
    if (!row || row.length !== width) fail(`row ${z} has ${row?.length} numbers, row 0 has ${width}`);
    for (const v of row) if (!Number.isFinite(v)) fail(`row ${z} holds ${v}: every descriptor must be finite`);
  });
}
