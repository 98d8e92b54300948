// The one module with side effects (listed under `sideEffects` in package.json): registers every layer class with
// tfjs's serialization registry, so `tf.serialization.SerializationMap` can rebuild them from `getConfig()`.
import * as tf from '@tensorflow/tfjs';
import { Egnn } from './egnn.js';
import { EdgeHead, EgnnConv } from './egnn-conv.js';
import { SpeciesEmbedding } from './embedding.js';
import { LevelEmbedding } from './level-embedding.js';
import { BesselBasis, CosineCutoff, GaussianBasis, PolynomialCutoff } from './radial.js';
import { VectorChannels } from './vector-channels.js';

for (const cls of [
  SpeciesEmbedding,
  LevelEmbedding,
  GaussianBasis,
  BesselBasis,
  CosineCutoff,
  PolynomialCutoff,
  EgnnConv,
  EdgeHead,
  VectorChannels,
  Egnn,
]) {
  tf.serialization.registerClass(
    cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
  );
}
