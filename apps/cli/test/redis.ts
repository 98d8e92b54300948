import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

/** A redis-server the tests started on a loopback port, with its data in `dir`. */
export interface TestRedis {
  readonly port: number;
  readonly url: (name: string) => string;
  /** Stops it: `SIGKILL` (a crash; with appendonly the data survives), else a clean SHUTDOWN via SIGTERM. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same port and folder (what it persisted is loaded back). */
  restart(): Promise<void>;
}

/** True when Debian's redis-server is installed (.ci/run installs it). */
export function hasRedis(): boolean {
  return spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
  });
}

async function waitFor(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Starts redis-server on a free loopback port with its files in `dir`; `appendonly` turns on the append-only
 * file with an fsync per write, so a kill -9 loses nothing.
 */
export async function startRedis(dir: string, options: { appendonly?: boolean } = {}): Promise<TestRedis> {
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--daemonize',
    'no',
    '--maxmemory-policy',
    'noeviction',
    ...(options.appendonly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
  ];
  let proc: ChildProcess | undefined;
  const launch = async () => {
    proc = spawn('redis-server', args, { stdio: 'ignore' });
    await waitFor(() => ping(port), 10_000, `redis-server on port ${port}`);
  };
  await launch();
  return {
    port,
    url: (name) => `redis://127.0.0.1:${port}/${name}`,
    async stop(signal = 'SIGTERM') {
      const p = proc;
      if (!p || p.exitCode !== null) return;
      const exited = new Promise((r) => p.once('exit', r));
      p.kill(signal);
      await exited;
    },
    restart: launch,
  };
}
