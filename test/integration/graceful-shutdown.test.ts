import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp, type BuiltApp } from '../helpers/build';
import { TEST_JWT_SECRET, TEST_PASSWORD } from '../helpers/test-server';

/**
 * Loaded into the child before the app (-r): every argon2 verify tells the test it has
 * started and waits for "release". A login parked in its hash is the slow request; nothing
 * of this exists in the app itself.
 */
const HOLD_VERIFY = `
const argon2 = require('argon2');
const verify = argon2.verify;
argon2.verify = async (...args) => {
  process.send('held');
  await new Promise((resolve) => process.on('message', (message) => message === 'release' && resolve()));
  return verify.apply(argon2, args);
};
`;

interface Running {
  readonly child: ChildProcess;
  readonly base: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: () => number }>;
  readonly log: () => string;
  nextMessage(): Promise<unknown>;
}

/** `node src/index.js` as a deployment runs it, on a SQLite file of its own; resolves once it listens. */
async function startProcess(app: BuiltApp, dataDir: string, env: Record<string, string> = {}): Promise<Running> {
  const preload = path.join(app.dir, 'hold-verify.cjs');
  writeFileSync(preload, HOLD_VERIFY);
  const child = fork(app.entry, [], {
    execArgv: ['-r', preload],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: {
      PATH: process.env.PATH ?? '',
      NODE_PATH: app.nodeModules,
      // Not "test": Apollo installs its own SIGTERM handler outside tests, which is what must not interfere.
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      DATABASE_URL: `file:${path.join(dataDir, 'tollgate.db')}`,
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'info',
      ...env,
    },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let signalledAt = 0;
  const originalKill = child.kill.bind(child);
  child.kill = (signal?: NodeJS.Signals | number) => {
    signalledAt = Date.now();
    return originalKill(signal);
  };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: () => number }>(
    (resolve) => {
      child.once('exit', (code, signal) => {
        const at = Date.now();
        resolve({ code, signal, afterMs: () => at - signalledAt });
      });
    },
  );
  const messages: unknown[] = [];
  const waiting: Array<(message: unknown) => void> = [];
  child.on('message', (message) => (waiting.length ? waiting.shift()!(message) : messages.push(message)));

  const startedAt = Date.now();
  for (;;) {
    const listening = /serving GraphQL at (http:\/\/[^"/]+)\/graphql/.exec(output);
    if (listening) {
      return {
        child,
        base: listening[1]!,
        exited,
        log: () => output,
        nextMessage: () =>
          messages.length ? Promise.resolve(messages.shift()) : new Promise((resolve) => waiting.push(resolve)),
      };
    }
    if (child.exitCode !== null || Date.now() - startedAt > 20_000) {
      throw new Error(`the server did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A request on a new connection, so that a kept-alive one cannot answer for the listener. */
function freshConnection(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    })
      .on('error', reject)
      .end();
  });
}

const graphql = (base: string, query: string, variables: object) =>
  fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
const SIGN_UP = 'mutation ($input: SignUpInput!) { signUp(input: $input) { accessToken } }';
const LOGIN =
  'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }';

describe('SIGTERM', () => {
  let app: BuiltApp;
  let dataDir: string;
  beforeAll(() => {
    app = buildApp();
  });
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'tollgate-shutdown-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('stops accepting, lets a request in flight finish with 200, and exits 0', async () => {
    const server = await startProcess(app, dataDir);
    try {
      const input = { email: 'leaving@example.com', password: TEST_PASSWORD, displayName: 'Leaving' };
      expect((await graphql(server.base, SIGN_UP, { input })).status).toBe(200);

      const login = graphql(server.base, LOGIN, { email: input.email, password: TEST_PASSWORD });
      expect(await server.nextMessage()).toBe('held');
      server.child.kill('SIGTERM');
      // The listener closes at once: a new connection is refused while the login is still running.
      for (let tries = 0; ; tries++) {
        const refused = await freshConnection(`${server.base}/healthz`).then(
          () => false,
          (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED',
        );
        if (refused) break;
        if (tries > 100) throw new Error('the listener was not closed');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      server.child.send('release');

      const res = await login;
      expect(res.status).toBe(200);
      expect(((await res.json()) as { data: { login: { accessToken: string } } }).data.login.accessToken).toEqual(
        expect.any(String),
      );
      const { code, signal, afterMs } = await server.exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(afterMs()).toBeLessThan(10_000);
      expect(server.log()).toMatch(/"msg":"shut down"/);
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('gives up after SHUTDOWN_TIMEOUT and exits 1 when a request never finishes', async () => {
    const server = await startProcess(app, dataDir, { SHUTDOWN_TIMEOUT: '1s' });
    try {
      const input = { email: 'stuck@example.com', password: TEST_PASSWORD, displayName: 'Stuck' };
      await graphql(server.base, SIGN_UP, { input });
      const login = graphql(server.base, LOGIN, { email: input.email, password: TEST_PASSWORD }).catch(
        (error: unknown) => error,
      );
      expect(await server.nextMessage()).toBe('held');
      server.child.kill('SIGTERM');
      const { code, afterMs } = await server.exited;
      expect(code).toBe(1);
      expect(afterMs()).toBeGreaterThanOrEqual(900);
      expect(afterMs()).toBeLessThan(5_000);
      expect(server.log()).toMatch(/shutdown did not finish in time/);
      await login;
    } finally {
      server.child.kill('SIGKILL');
    }
  });
});
