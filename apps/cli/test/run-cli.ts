import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** apps/cli. */
export const CLI_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The repository root (data/ lives there). */
export const REPO = join(CLI_DIR, '..', '..');
/** The built CLI the tests run. */
export const BIN = join(CLI_DIR, 'dist', 'bin.js');
/** Small committed fixtures. */
export const FIXTURES = join(CLI_DIR, 'test', 'fixtures');

/** What a CLI run gave. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/bin.js …args` to completion (no TTY, no colour unless env says so). */
export function runCli(
  args: readonly string[],
  options: { input?: string; env?: Record<string, string>; cwd?: string; timeout?: number } = {},
): CliResult {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  if (!options.env || !('FORCE_COLOR' in options.env)) delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input: options.input ?? '',
    env,
    cwd: options.cwd ?? REPO,
    encoding: 'utf8',
    timeout: options.timeout ?? 110_000,
    maxBuffer: 1 << 28,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the CLI without waiting (for kill tests). */
export function startCli(args: readonly string[], cwd = REPO): ChildProcess {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.FORCE_COLOR;
  return spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'crys-cli-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** True when text holds ANSI colour codes. */
export function hasAnsi(text: string): boolean {
  return text.includes('\u001b[');
}
