// The one module with side effects (listed under `sideEffects` in package.json): registers every layer class with
// tfjs's serialization registry, so `tf.serialization.SerializationMap` can rebuild them from `getConfig()`.
import * as tf from '@tensorflow/tfjs';
import { Egnn } from './egnn.js';
import { EdgeHead, EgnnConv } from './egnn-conv.js';
import { SpeciesEmbedding } from './embedding.js';
import { BesselBasis, CosineCutoff, GaussianBasis, PolynomialCutoff } from './radial.js';

for (const cls of [
  SpeciesEmbedding,
  GaussianBasis,
  BesselBasis,
  CosineCutoff,
  PolynomialCutoff,
  EgnnConv,
  EdgeHead,
  Egnn,
]) {
  tf.serialization.registerClass(
    cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
  );
}
