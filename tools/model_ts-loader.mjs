// Run a TypeScript entry point of the workspace straight from source, without building:
//   node --import ./tools/model_ts-loader.mjs packages/model/src/cli.ts …
// Development convenience for @crys/model; the documented commands use the built package.
import { register } from 'node:module';

register('./model_ts-hooks.mjs', import.meta.url);
