/**
 * The domain check of the model commands (predict, relax, eval). Imports @crys/model, so commands load it lazily
 * (`await import('../domain-check.js')`), like model-runtime.
 */
import { type Crystal, elementSymbol } from '@crys/lattice';
import { type DomainIssue, domainIssues, type ModelConfig, type PhysicalChecks, physicalChecks } from '@crys/model';
import { CliFailure } from './errors.js';
import type { LoadedCrystal } from './load.js';
import { paint, type Term } from './term.js';

/** One input of a model command for {@link checkDomain}: what to call it, its atoms and, for a crystal, its lattice. */
export interface DomainInput {
  readonly label: string;
  readonly atomicNumbers: ArrayLike<number>;
  readonly lattice?: ArrayLike<number>;
}

/** How many out-of-domain inputs {@link checkDomain} names one by one before it counts the rest. */
const MAX_NAMED = 3;

/**
 * Checks the inputs of `predict`, `relax` and `eval` against the domain the model was trained on (@crys/model's
 * `domainIssues`: elements, atoms per cell, volume per atom) before any work. An element the model never saw is
 * refused (the model has no embedding for it). Anything else outside the domain is a warning on stderr naming what
 * is outside, or with `strict` (`--strict`) a refusal. Throws {@link CliFailure} (exit 1).
 *
 * @example
 * checkDomain(term, model, source, [{ label: "--composition 'Ca4Ti4O12'", atomicNumbers: atoms }], opts.strict);
 */
export function checkDomain(
  term: Term,
  model: { readonly config: ModelConfig },
  source: string,
  inputs: readonly DomainInput[],
  strict = false,
): void {
  const known = model.config.domain?.elements ?? model.config.species;
  const flagged: { label: string; issues: DomainIssue[] }[] = [];
  for (const input of inputs) {
    const issues = domainIssues(model, input, { modelName: `model ${source}` });
    if (issues.length === 0) continue;
    const unknown = issues.find((i) => i.kind === 'element');
    if (unknown !== undefined) {
      throw new CliFailure(
        `${input.label}: ${unknown.message}`,
        `model ${source} knows ${known.map((z) => elementSymbol(z)).join(' ')}; pick another --model or train one on these elements (crys train)`,
      );
    }
    flagged.push({ label: input.label, issues });
  }
  if (flagged.length === 0) return;
  const domain = model.config.domain;
  const trained = domain
    ? ` (trained on ${domain.crystals} crystals${domain.dataset ? ` of ${domain.dataset}` : ''})`
    : '';
  const lines = flagged.slice(0, MAX_NAMED).map((f) => `${f.label}: ${f.issues.map((i) => i.message).join('; ')}`);
  const more = flagged.length > MAX_NAMED ? `; and ${flagged.length - MAX_NAMED} more of ${inputs.length} inputs` : '';
  const what = flagged.length === 1 ? 'the input is' : `${flagged.length} of ${inputs.length} inputs are`;
  if (strict) {
    throw new CliFailure(
      `${what} outside the domain of model ${source}${trained}: ${lines.join('; ')}${more}`,
      'leave out --strict to run anyway (the result is an extrapolation), or use a model trained on such inputs',
    );
  }
  const c = term.colorErr;
  term.err(
    `${paint(c, 'yellow', 'warning:')} ${what} outside the domain of model ${source}${trained}; the result is an extrapolation (--strict refuses it):`,
  );
  for (const line of lines) term.err(`  ${line}`);
  if (more) term.err(`  …${more.slice(1)}`);
}

/**
 * {@link checkDomain} for the rows of a dataset run (`predict --data`, `eval`), as the model's task sees them
 * ({@link domainInputs}).
 */
export function checkRows(
  term: Term,
  model: { readonly config: ModelConfig },
  source: string,
  items: readonly Pick<LoadedCrystal, 'crystal' | 'label'>[],
  strict = false,
): void {
  checkDomain(term, model, source, domainInputs(model.config.task.kind, items), strict);
}

/**
 * The physical sanity checks of a model's output (@crys/model's `physicalChecks`: closest pair relative to covalent
 * radii, density), with a volume per atom outside the model's training range added to its problems.
 */
export function outputChecks(
  model: { readonly config: ModelConfig },
  source: string,
  crystal: Crystal,
): PhysicalChecks {
  const checks = physicalChecks(crystal);
  const outside = domainIssues(model, crystal, { modelName: `model ${source}` }).filter(
    (i) => i.kind === 'volumePerAtom',
  );
  if (outside.length === 0) return checks;
  return { ...checks, ok: false, problems: [...checks.problems, ...outside.map((i) => i.message)] };
}

/** The checks of one structure as a line: `closest Ti–O 1.95 Å (0.86 × covalent radii), 5.12 g/cm³, 11.9 Å³/atom`. */
export function checksLine(checks: PhysicalChecks): string {
  const { elements, distance } = checks.closestPair;
  return `closest ${elements[0]}–${elements[1]} ${distance.toFixed(2)} Å (${checks.covalentRatio.toFixed(2)} × covalent radii), ${checks.density.toFixed(2)} g/cm³, ${checks.volumePerAtom.toFixed(2)} Å³/atom`;
}

/**
 * The inputs of a dataset run for the domain check: a structure-prediction model sees only each row's composition
 * (it starts from random positions in a prior cell), the other tasks the crystal with its cell.
 */
export function domainInputs(task: string, items: readonly Pick<LoadedCrystal, 'crystal' | 'label'>[]): DomainInput[] {
  return items.map((it) => ({
    label: it.label,
    atomicNumbers: it.crystal.atomicNumbers,
    ...(task === 'structure' ? {} : { lattice: it.crystal.lattice }),
  }));
}
