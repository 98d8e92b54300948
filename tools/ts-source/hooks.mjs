// Module hooks used by tools/ts-source/loader.mjs: resolve `@crys/*` to TypeScript sources (the
// `crys-source` export condition) and type-strip `.ts` files with TypeScript's transpiler on load.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export async function resolve(specifier, context, next) {
  const conditions = [...(context.conditions ?? []), 'crys-source'];
  try {
    return await next(specifier, { ...context, conditions });
  } catch (error) {
    // `./x.js` written in a .ts source refers to `./x.ts`.
    if (specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
      return next(`${specifier.slice(0, -3)}.ts`, { ...context, conditions });
    }
    throw error;
  }
}

export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const source = readFileSync(fileURLToPath(url), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: fileURLToPath(url),
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false },
  });
  return { format: 'module', source: outputText, shortCircuit: true };
}
