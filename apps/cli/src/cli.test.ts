import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { benchEnv } from './commands/bench.js';
import { CLI_DIR, hasAnsi, runCli } from '../test/run-cli.js';

const version = (JSON.parse(readFileSync(join(CLI_DIR, 'package.json'), 'utf8')) as { version: string }).version;

describe('crys (the program)', () => {
  test('crys --version prints the package version and exits 0', () => {
    const r = runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`crys ${version}`);
  });

  test('crys --help lists every command with an example, and exits 0', () => {
    const r = runCli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of [
      'info',
      'convert',
      'graph',
      'match',
      'supercell',
      'perturb',
      'standardize',
      'relax',
      'predict',
      'split',
      'train',
      'eval',
      'tasks',
      'model',
      'bench',
      'quickstart',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, 'm'));
    }
    expect(r.stdout).toContain('Examples:');
    expect(hasAnsi(r.stdout)).toBe(false);
  });

  test('crys with no arguments prints the help on stdout and exits 2', () => {
    const r = runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Usage: crys');
  });

  test('crys frob (an unknown command) exits 2 and suggests --help', () => {
    const r = runCli(['frob']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frob'");
    expect(r.stderr).toContain('crys --help');
    expect(r.stdout).toBe('');
  });

  test('crys infp (a typo) suggests the closest command', () => {
    const r = runCli(['infp']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Did you mean info?');
  });

  test.each([
    'info',
    'convert',
    'graph',
    'match',
    'supercell',
    'perturb',
    'standardize',
    'relax',
    'predict',
    'split',
    'train',
    'eval',
    'tasks',
    'model',
    'bench',
    'quickstart',
  ])('crys %s --help shows usage and an example, exit 0', (cmd) => {
    const r = runCli([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: crys ${cmd}`);
    expect(r.stdout).toMatch(/Examples?:\n {2}\$ crys /);
  });

  test('an unknown option exits 2 and names the option', () => {
    const r = runCli(['info', '--frobnicate', 'x.cif']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--frobnicate'");
    expect(r.stderr).toContain('crys info --help');
  });

  test('errors are red only when asked: FORCE_COLOR colours stderr, NO_COLOR wins over it', () => {
    const coloured = runCli(['info', 'missing.cif'], { env: { FORCE_COLOR: '1' } });
    expect(coloured.code).toBe(1);
    expect(hasAnsi(coloured.stderr)).toBe(true);
    const plain = runCli(['info', 'missing.cif'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(hasAnsi(plain.stderr)).toBe(false);
    expect(plain.stderr).toMatchInlineSnapshot(`
      "crys info: error: cannot read missing.cif: no such file
      hint: check the path (relative paths start from the current folder)
      "
    `);
  });

  test('crys bench --list --json names the benchmarks and says which peers are installed', () => {
    const r = runCli(['bench', '--list', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { benchmarks: string[]; peers: { module: string; installed: boolean }[] };
    expect(out.benchmarks).toContain('@crys/graph');
    expect(out.peers.map((p) => p.module)).toEqual(['ase', 'pymatgen', 'torch', 'spglib']);
  });

  test('crys bench --list --json --peers DIR reports the python and peers folder it will use', () => {
    const r = runCli(['bench', '--list', '--json', '--peers', '.'], { cwd: CLI_DIR });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { python: string; peersDir: string | null };
    expect(out.peersDir).toBe(resolve(CLI_DIR));
    expect(out.python).toBe(process.env.PYTHON || 'python3');
    const missing = runCli(['bench', '--list', '--peers', 'no-such-folder']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--peers no-such-folder is not a folder');
  });

  test('crys bench nope exits 2 and lists the benchmarks there are', () => {
    const r = runCli(['bench', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no benchmark named 'nope'");
    expect(r.stderr).toMatch(/hint: choose from .*graph/);
  });

  test("benchEnv(color, env) switches the benchmarks' colour off unless crys colours its own output", () => {
    const env = { PATH: '/bin', FORCE_COLOR: '1', CI: '1' };
    expect(benchEnv(false, env, { PEERS_OUT: '/tmp/p' })).toEqual({
      PATH: '/bin',
      CI: '1',
      PEERS_OUT: '/tmp/p',
      NO_COLOR: '1',
    });
    expect(benchEnv(true, env)).toEqual(env);
  });
});
