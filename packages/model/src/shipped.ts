import { InvalidArgumentError } from '@crys/lattice';
import { type ActionModel, loadModel } from './model.js';

/** Names of the models shipped in this package (`models/<name>/model.json`). */
export const SHIPPED_MODEL_NAMES = [
  'perov_5',
  'carbon_24',
  'perov_5-denoise',
  'carbon_24-denoise',
  'perov_5-lattice',
  'carbon_24-lattice',
  // property models (heat of formation, energy per atom), which rank the structure models' samples
  // (`lowestProperty`, `crys … --rank-by`)
  'perov_5-energy',
  'carbon_24-energy',
] as const;

/** A shipped model name. */
export type ShippedModelName = (typeof SHIPPED_MODEL_NAMES)[number];

/**
 * URL of a shipped model's JSON, resolved against this module (bundlers copy it; in Node it is a file: URL).
 *
 * @example
 * shippedModelUrl('perov_5').href; // …/models/perov_5/model.json
 */
export function shippedModelUrl(name: string, fn = 'shippedModelUrl'): URL {
  if (!(SHIPPED_MODEL_NAMES as readonly string[]).includes(name)) {
    throw new InvalidArgumentError(fn, 'name', `must be one of ${SHIPPED_MODEL_NAMES.join(', ')}, got '${name}'`, name);
  }
  return new URL(`../models/${name}/model.json`, import.meta.url);
}

/**
 * Fetches and loads a model JSON from a URL (a browser's `fetch`; in Node use `@crys/model/node`'s
 * `loadShippedModel` / `loadModelFile`, since Node's fetch does not read file: URLs).
 *
 * @example
 * const model = await fetchModel('/models/perov_5/model.json');
 */
export async function fetchModel(url: string | URL, fetchImpl: typeof fetch = fetch): Promise<ActionModel> {
  const response = await fetchImpl(url);
  if (!response.ok) {
    throw new InvalidArgumentError('fetchModel', 'url', `could not be fetched: HTTP ${response.status}`, String(url));
  }
  return loadModel(await response.text());
}
