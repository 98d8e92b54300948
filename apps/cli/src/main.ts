import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands.js';
import { EXIT } from './errors.js';
import { reportError } from './report-error.js';
import { createTerm, type OutStream, paint, type Term } from './term.js';

/** The CLI's version, from its package.json. */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** What a command needs from the process: its terminal. */
export interface CliContext {
  readonly term: Term;
}

/** Builds the `crys` program (commander) for one run. Exported for tests of the help text. */
export function buildProgram(ctx: CliContext): Command {
  const { term } = ctx;
  const program = new Command('crys');
  program
    .description(
      'Read, convert and graph crystal files; relax, predict, train and score structures with equivariant action models.',
    )
    .version(`crys ${cliVersion()}`, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .helpCommand('help [command]', 'show help for a command')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => term.stdout.write(s),
      writeErr: (s) => term.stderr.write(s),
      outputError: (s, write) => write(paint(term.colorErr, 'red', s)),
    })
    .addHelpText(
      'after',
      `
Examples:
  $ crys quickstart                         the main job on the built-in data
  $ crys info data/perov_5/val.csv --limit 2
  $ crys convert structure.cif POSCAR
  $ crys graph POSCAR --cutoff 5

Exit codes: 0 ok, 1 failure, 2 usage error. Colour only on a terminal (NO_COLOR=1 turns it off).
Run \`crys <command> --help\` for the options and an example of each command.`,
    );
  registerCommands(program, ctx);
  return program;
}

/**
 * Runs the CLI on `argv` (without `node` and the script) and resolves to the exit code: 0 ok, 1 failure,
 * 2 usage. Never throws; bad input is reported on stderr without a stack trace.
 */
export async function main(
  argv: readonly string[],
  streams: { stdout: OutStream; stderr: OutStream; env: Readonly<Record<string, string | undefined>> },
): Promise<number> {
  const term = createTerm(streams.stdout, streams.stderr, streams.env);
  const program = buildProgram({ term });
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT.usage;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the message (or the help / version).
      if (error.exitCode === 0) return EXIT.ok;
      term.err(`Run \`crys ${commandOf(program, argv)}--help\` for usage.`);
      return EXIT.usage;
    }
    return reportError(term, `crys ${commandOf(program, argv)}`.trim(), error);
  }
}

/** The sub-command named in `argv` followed by a space, or '' when there is none (or it is unknown). */
function commandOf(program: Command, argv: readonly string[]): string {
  const first = argv.find((a) => !a.startsWith('-'));
  return first && program.commands.some((c) => c.name() === first) ? `${first} ` : '';
}
