// Run a TypeScript entry point of the workspace straight from source, without building:
//   node --import ./tools/ts-source/loader.mjs apps/cli/src/bin.ts train …
// Development convenience for @crys/model and the crys CLI; the documented commands use the built packages.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
