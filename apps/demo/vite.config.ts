import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

const root = dirname(fileURLToPath(import.meta.url));
const DATASETS = ['perov_5', 'carbon_24'];
const ROWS_PER_DATASET = 60;

/** The first rows of each shipped dataset CSV (header + whole quoted records), served as /datasets/<name>.csv. */
function datasetSubset(name: string): string {
  const text = readFileSync(join(root, '../../data', name, 'val.csv'), 'utf8');
  // Records end at a newline outside quotes; CIF fields are quoted and span lines.
  let inQuotes = false,
    records = 0,
    end = text.length;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34) inQuotes = !inQuotes;
    else if (ch === 10 && !inQuotes && ++records === ROWS_PER_DATASET + 1) {
      end = i + 1;
      break;
    }
  }
  return text.slice(0, end);
}

const MODELS_DIR = process.env.CRYS_DEMO_MODELS_DIR ?? join(root, '../../packages/model/models');
/**
 * Shipped models present in packages/model/models (each `<name>/model.json`), served as /models/<name>/model.json;
 * the page runs models that move crystals, so property models (which rank the samples of others) are left out.
 */
const MODELS = existsSync(MODELS_DIR)
  ? readdirSync(MODELS_DIR).filter(
      (m) =>
        existsSync(join(MODELS_DIR, m, 'model.json')) &&
        JSON.parse(readFileSync(join(MODELS_DIR, m, 'model.json'), 'utf8')).config?.task?.kind !== 'property',
    )
  : [];

/**
 * What the page needs to know of each model before fetching its weights (src/models.ts `ModelInfo`): its name and
 * config (task, species, atom limit, training domain), so the model menu follows the loaded crystal.
 */
function modelInfo(name: string) {
  const { config } = JSON.parse(readFileSync(join(MODELS_DIR, name, 'model.json'), 'utf8'));
  return { name, config };
}

function datasets(): Plugin {
  return {
    name: 'crys-datasets',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const model = req.url?.match(/\/models\/([\w-]+)\/model\.json$/);
        if (model && MODELS.includes(model[1])) {
          res.setHeader('content-type', 'application/json');
          res.end(readFileSync(join(MODELS_DIR, model[1], 'model.json')));
          return;
        }
        const m = req.url?.match(/\/datasets\/(\w+)\.csv$/);
        if (!m || !DATASETS.includes(m[1])) return next();
        res.setHeader('content-type', 'text/csv');
        res.end(datasetSubset(m[1]));
      });
    },
    generateBundle(_options, bundle) {
      // @crys/model's shippedModelUrl (new URL(`../models/${name}/model.json`, import.meta.url)) makes Vite copy every
      // shipped model into assets/ for library users; the page fetches its own models/<name>/model.json instead, so
      // drop those copies when no chunk refers to them (they would double the size of the site).
      const code = Object.values(bundle)
        .map((f) => (f.type === 'chunk' ? f.code : ''))
        .join('\n');
      for (const [fileName, file] of Object.entries(bundle)) {
        const base = fileName.slice(fileName.lastIndexOf('/') + 1);
        if (file.type === 'asset' && /^model-[\w-]+\.json$/.test(base) && !code.includes(base)) delete bundle[fileName];
      }
      for (const name of DATASETS) {
        this.emitFile({ type: 'asset', fileName: `datasets/${name}.csv`, source: datasetSubset(name) });
      }
      for (const name of MODELS) {
        this.emitFile({
          type: 'asset',
          fileName: `models/${name}/model.json`,
          source: readFileSync(join(MODELS_DIR, name, 'model.json'), 'utf8'),
        });
      }
    },
  };
}

export default defineConfig({
  base: './',
  resolve: { conditions: ['crys-source', ...defaultClientConditions] },
  plugins: [datasets()],
  define: { __CRYS_MODELS__: JSON.stringify(MODELS.map(modelInfo)) },
  build: { outDir: 'dist', target: 'es2022', chunkSizeWarningLimit: 4000 },
  worker: { format: 'es' },
  preview: { host: '127.0.0.1' },
  server: { host: '127.0.0.1' },
});
