import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import { useBackend } from '../test/helpers.js';
import { Egnn } from './egnn.js';
import { EdgeHead, EgnnConv } from './egnn-conv.js';
import { SpeciesEmbedding } from './embedding.js';
import { LevelEmbedding } from './level-embedding.js';
import { GaussianBasis, PolynomialCutoff } from './radial.js';
import { VectorChannels } from './vector-channels.js';
import './register.js';

beforeAll(() => useBackend('cpu'));

const inputs = () => ({
  atomicNumbers: tf.tensor1d([6, 8, 1], 'int32'),
  src: tf.tensor1d([0, 1, 2, 0], 'int32'),
  dst: tf.tensor1d([1, 0, 0, 2], 'int32'),
  vectors: tf.tensor2d([1.2, 0, 0, -1.2, 0, 0, 0, 1, 0.5, 0, -1, -0.5], [4, 3]),
});

test('Egnn.save() is deterministic: the same seed gives the same config text and weight bytes', () => {
  const a = new Egnn({ units: 8, layers: 2, seed: 7, gating: true });
  const b = new Egnn({ units: 8, layers: 2, seed: 7, gating: true });
  const sa = a.save(),
    sb = b.save(),
    sa2 = a.save();
  expect(sb.config).toBe(sa.config);
  expect(Buffer.from(sb.weights.buffer).equals(Buffer.from(sa.weights.buffer))).toBe(true);
  expect(Buffer.from(sa2.weights.buffer).equals(Buffer.from(sa.weights.buffer))).toBe(true);
  expect(new Egnn({ units: 8, layers: 2, seed: 8, gating: true }).save().weights).not.toEqual(sa.weights);
  expect(JSON.parse(sa.config).weights.slice(0, 3)).toMatchInlineSnapshot(`
    [
      {
        "name": "embedding/table",
        "shape": [
          101,
          8,
        ],
      },
      {
        "name": "conv0/edge1A",
        "shape": [
          8,
          8,
        ],
      },
      {
        "name": "conv0/edge1B",
        "shape": [
          8,
          8,
        ],
      },
    ]
  `);
});

test('Egnn.load(save()) rebuilds a network with identical outputs and identical saved bytes', () => {
  const net = new Egnn({ units: 8, layers: 2, seed: 3, basis: 'bessel', envelope: 'polynomial', layerNorm: true });
  const saved = net.save();
  const copy = Egnn.load(saved.config, saved.weights);
  expect(copy.save().config).toBe(saved.config);
  expect(copy.save().weights).toEqual(saved.weights);
  const x = inputs();
  const o1 = net.apply(x).edgeOutputs.dataSync();
  const o2 = copy.apply(x).edgeOutputs.dataSync();
  expect(Array.from(o2)).toEqual(Array.from(o1));
});

test('Egnn.load(save()) of a network with a level embedding and vector channels gives identical outputs', () => {
  const net = new Egnn({ units: 8, layers: 2, seed: 5, aggregation: 'mean', levelFeatures: 4, vectorChannels: 3 });
  const saved = net.save();
  expect(JSON.parse(saved.config).config).toMatchObject({ levelFeatures: 4, vectorChannels: 3 });
  const copy = Egnn.load(saved.config, saved.weights);
  expect(copy.save().weights).toEqual(saved.weights);
  const x = { ...inputs(), level: tf.tensor1d([0.3, 0.8]), crystalIndex: tf.tensor1d([0, 1, 1], 'int32') };
  const o1 = net.apply(x).edgeOutputs.dataSync();
  const o2 = copy.apply(x).edgeOutputs.dataSync();
  expect(Array.from(o2)).toEqual(Array.from(o1));
});

test("Egnn.load(save()) keeps a 'weighted-mean' aggregation, in its conv and vector channel layers", () => {
  const args = {
    units: 8,
    layers: 2,
    seed: 6,
    aggregation: 'weighted-mean',
    levelFeatures: 4,
    vectorChannels: 3,
  } as const;
  const net = new Egnn(args);
  expect(net.convs.map((c) => c.aggregation)).toEqual(['weighted-mean', 'weighted-mean']);
  expect(net.vectorLayers.map((v) => v.aggregation)).toEqual(['weighted-mean', 'weighted-mean']);
  const saved = net.save();
  expect(JSON.parse(saved.config).config).toMatchObject({ aggregation: 'weighted-mean', vectorChannels: 3 });
  const copy = Egnn.load(saved.config, saved.weights);
  expect(copy.aggregation).toBe('weighted-mean');
  expect(copy.convs.map((c) => c.aggregation)).toEqual(['weighted-mean', 'weighted-mean']);
  expect(copy.vectorLayers.map((v) => v.aggregation)).toEqual(['weighted-mean', 'weighted-mean']);
  expect(copy.save().config).toBe(saved.config);
  const x = { ...inputs(), level: tf.tensor1d([0.3, 0.8]), crystalIndex: tf.tensor1d([0, 1, 1], 'int32') };
  const o1 = net.apply(x).edgeOutputs.dataSync();
  const o2 = copy.apply(x).edgeOutputs.dataSync();
  expect(Array.from(o2)).toEqual(Array.from(o1));
  // The same weights under the count mean give other outputs: the aggregation is what was saved and loaded.
  const mean = Egnn.load(saved.config.replace('"aggregation":"weighted-mean"', '"aggregation":"mean"'), saved.weights);
  expect(mean.vectorLayers.map((v) => v.aggregation)).toEqual(['mean', 'mean']);
  expect(Array.from(mean.apply(x).edgeOutputs.dataSync())).not.toEqual(Array.from(o1));
  for (const n of [net, copy, mean]) n.dispose();
});

test('layer configs round-trip through the tfjs serialization registry', () => {
  const map = tf.serialization.SerializationMap.getMap().classNameMap;
  for (const layer of [
    new SpeciesEmbedding({ units: 4 }),
    new GaussianBasis({ size: 8, cutoff: 4 }),
    new PolynomialCutoff({ cutoff: 4, exponent: 5 }),
    new EgnnConv({ units: 4, edgeFeatures: 3, gating: true }),
    new EgnnConv({ units: 4, edgeFeatures: 3, aggregation: 'weighted-mean' }),
    new EdgeHead({ units: 4, edgeFeatures: 3, outputs: 3 }),
    new LevelEmbedding({ features: 6, units: 4 }),
    new VectorChannels({ units: 4, edgeFeatures: 3, channels: 2 }),
    new VectorChannels({ units: 4, edgeFeatures: 3, channels: 2, aggregation: 'weighted-mean' }),
    new Egnn({ units: 4, layers: 1 }),
    new Egnn({ units: 4, layers: 1, levelFeatures: 2, vectorChannels: 2 }),
    new Egnn({ units: 4, layers: 1, aggregation: 'weighted-mean', vectorChannels: 2 }),
  ]) {
    const [cls, fromConfig] = map[layer.getClassName()];
    const copy = fromConfig(cls, layer.getConfig()) as typeof layer;
    expect(copy.getConfig()).toEqual(layer.getConfig());
  }
});

test('Egnn.load rejects mismatched weights and foreign configs', () => {
  const saved = new Egnn({ units: 4, layers: 1 }).save();
  expect(() => Egnn.load(saved.config, new Float32Array(3))).toThrowErrorMatchingInlineSnapshot(
    `[WeightsFormatError: Egnn.setWeights: weights must be a Float32Array of length 690, got 3]`,
  );
  expect(() => Egnn.load('{"format":"other"}', saved.weights)).toThrowErrorMatchingInlineSnapshot(
    `[WeightsFormatError: Egnn.load: config must be a saved crys-egnn Egnn, got format other, class undefined]`,
  );
  expect(() => Egnn.load('not json', saved.weights)).toThrowError(/Egnn.load: config is not JSON/);
});

test('layer constructors and apply reject bad arguments with messages naming the argument', () => {
  expect(() => new Egnn({ cutoff: -1 })).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: Egnn: cutoff must be positive and finite, got -1]`,
  );
  expect(() => new EgnnConv({ units: 0, edgeFeatures: 3 })).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: EgnnConv: units must be a positive integer, got 0]`,
  );
  expect(() => new GaussianBasis({ size: 1, cutoff: 5 })).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: GaussianBasis: size must be at least 2, got 1]`,
  );
  const conv = new EgnnConv({ units: 4, edgeFeatures: 3 });
  expect(() =>
    conv.apply({
      nodeFeatures: tf.zeros([2, 5]) as tf.Tensor2D,
      edgeFeatures: tf.zeros([1, 3]) as tf.Tensor2D,
      envelope: tf.ones([1]) as tf.Tensor1D,
      src: tf.tensor1d([0], 'int32'),
      dst: tf.tensor1d([1], 'int32'),
    }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: EgnnConv: inputs must be nodeFeatures [N, 4], edgeFeatures [E, 3], envelope [E], src and dst int32 [E], got nodeFeatures float32 [2,5], edgeFeatures float32 [1,3], envelope float32 [1], src int32 [1], dst int32 [1]]`,
  );
  expect(() =>
    new SpeciesEmbedding({ units: 2 }).apply(tf.tensor1d([1.5]) as tf.Tensor1D),
  ).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: SpeciesEmbedding: atomicNumbers must be an int32 tensor of shape [N], got float32 [1]]`,
  );
  expect(() => new LevelEmbedding({ features: 5, units: 4 })).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: LevelEmbedding: features must be even (sine and cosine pairs), got 5]`,
  );
  expect(() => new Egnn({ aggregation: 'max' as 'sum' })).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: Egnn: aggregation must be 'sum', 'mean' or 'weighted-mean', got max]`,
  );
  expect(
    () => new EgnnConv({ units: 4, edgeFeatures: 3, aggregation: 'weighted' as 'sum' }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: EgnnConv: aggregation must be 'sum', 'mean' or 'weighted-mean', got weighted]`,
  );
  expect(
    () => new VectorChannels({ units: 4, edgeFeatures: 3, channels: 2, aggregation: 'sum' as 'mean' }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: VectorChannels: aggregation must be 'mean' or 'weighted-mean', got sum]`,
  );
  expect(() => new Egnn({ vectorChannels: -1 })).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: Egnn: vectorChannels must be a non-negative integer, got -1]`,
  );
  const net = new Egnn({ units: 4, layers: 1, levelFeatures: 2 });
  expect(() => net.apply(inputs())).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: Egnn: inputs must carry level float32 [B] and crystalIndex int32 [N = 3] (the network has levelFeatures), got level undefined, crystalIndex undefined]`,
  );
  const vec = new VectorChannels({ units: 4, edgeFeatures: 3, channels: 2 });
  expect(() =>
    vec.apply({
      nodeFeatures: tf.zeros([2, 4]) as tf.Tensor2D,
      edgeFeatures: tf.zeros([1, 3]) as tf.Tensor2D,
      envelope: tf.ones([1]) as tf.Tensor1D,
      unitVectors: tf.zeros([2, 3]) as tf.Tensor2D,
      src: tf.tensor1d([0], 'int32'),
      dst: tf.tensor1d([1], 'int32'),
    }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[InvalidArgumentError: VectorChannels: inputs.unitVectors must be a tensor of shape [E, 3] = [1, 3], got [2,3]]`,
  );
});
