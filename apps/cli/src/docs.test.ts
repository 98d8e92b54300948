import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO, runCli } from '../test/run-cli.js';
import { QUICKSTART_TIME } from './commands/quickstart.js';

const oneLine = (text: string) => text.replace(/\s+/g, ' ');

describe('one truth about time', () => {
  test('the README, `crys quickstart --help` and docs/cli.md quote the same measured quickstart duration', () => {
    expect(QUICKSTART_TIME).toMatch(/\d+ s measured/);
    const help = runCli(['quickstart', '--help']);
    expect(help.code).toBe(0);
    expect(oneLine(help.stdout)).toContain(QUICKSTART_TIME);
    for (const file of ['README.md', 'docs/cli.md']) {
      const text = oneLine(readFileSync(join(REPO, file), 'utf8'));
      expect(text, file).toContain(QUICKSTART_TIME);
      expect(text, file).not.toMatch(/under a minute|\b\d+–\d+ s on two cores/);
    }
  });
});
