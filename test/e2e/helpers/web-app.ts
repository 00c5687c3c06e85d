import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.resolve(__dirname, '../../..');
const webDir = path.join(root, 'web');
const vite = path.join(root, 'node_modules/.bin/vite');
// Vite 8 refuses a second dev/preview/build of one project while one runs ("Found another Vite
// … process"); the suites run side by side, each on its own port and output directory.
const BYPASS_LOCK = '--bypass-lock';

export interface ServedWebApp {
  /** The page's origin, e.g. http://localhost:41234; /graphql there reaches the API. */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * The web app as it ships: `vite build` into a scratch directory, then served as static files
 * by `vite preview`, which forwards /graphql to the API (web/vite.config.ts). Page and API
 * share one origin, as behind a production reverse proxy.
 */
export async function serveWebApp(apiOrigin: string): Promise<ServedWebApp> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'tollgate-web-'));
  try {
    await promisify(execFile)(vite, ['build', BYPASS_LOCK, '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: webDir,
      env: { ...process.env, NODE_ENV: 'production' },
    });
    const preview = await servePreview(outDir, apiOrigin);
    return {
      origin: preview.origin,
      async close() {
        await preview.close();
        rmSync(outDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(outDir, { recursive: true, force: true });
    throw error;
  }
}

/** `vite preview` of the files in `outDir` (a build), forwarding /graphql to the API. */
export async function servePreview(outDir: string, apiOrigin: string): Promise<ServedWebApp> {
  const port = await freePort();
  const preview = spawn(
    vite,
    ['preview', BYPASS_LOCK, '--outDir', outDir, '--host', 'localhost', '--port', String(port), '--strictPort'],
    { cwd: webDir, env: { ...process.env, TOLLGATE_API_ORIGIN: apiOrigin }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const origin = `http://localhost:${port}`;
  try {
    await waitUntilServing(preview, origin);
  } catch (error) {
    await stop(preview);
    throw error;
  }
  return { origin, close: () => stop(preview) };
}

/**
 * The web app as `npm run web` serves it in development: the Vite dev server, forwarding
 * /graphql to the API. `env` adds to the environment web/scripts/web.mjs would pass (DATA_DIR).
 */
export async function serveDevServer(apiOrigin: string, env: Record<string, string> = {}): Promise<ServedWebApp> {
  const port = await freePort();
  const dev = spawn(vite, [BYPASS_LOCK, '--host', 'localhost', '--port', String(port), '--strictPort'], {
    cwd: webDir,
    env: { ...process.env, ...env, TOLLGATE_API_ORIGIN: apiOrigin, TOLLGATE_WEB_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const origin = `http://localhost:${port}`;
  try {
    await waitUntilServing(dev, origin);
  } catch (error) {
    await stop(dev);
    throw error;
  }
  return { origin, close: () => stop(dev) };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function waitUntilServing(child: ChildProcess, origin: string): Promise<void> {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`vite exited (${code}):\n${output}`))),
  );
  const deadline = Date.now() + 30_000;
  const ready = (async () => {
    while (Date.now() < deadline) {
      try {
        const response = await fetch(origin);
        if (response.ok) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`vite did not answer at ${origin}:\n${output}`);
  })();
  await Promise.race([ready, exited]);
  exited.catch(() => undefined);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
