/* global process, console, fetch, setTimeout */
// `npm run web`: the API and the web app's Vite dev server together, for development.
// The dev server forwards /graphql to the API (web/vite.config.ts), so the page and the API
// share one origin and the refresh cookie works without CORS. Ctrl-C stops both.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const apiPort = process.env.PORT ?? '4000';
const webPort = process.env.TOLLGATE_WEB_PORT ?? '5173';
const apiOrigin = `http://localhost:${apiPort}`;
const webOrigin = `http://localhost:${webPort}`;

const children = new Set();
let stopping = false;

function start(name, command, args, options) {
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  children.add(child);
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (!stopping) {
      console.error(`\n${name} stopped (${signal ?? `exit code ${code}`}); stopping the rest.`);
      stopAll(code ?? 1);
    } else if (children.size === 0) {
      process.exit(process.exitCode ?? 0);
    }
  });
  return child;
}

function stopAll(exitCode) {
  if (stopping) return;
  stopping = true;
  process.exitCode = exitCode;
  if (children.size === 0) process.exit(exitCode);
  for (const child of children) child.kill('SIGTERM');
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

async function waitFor(url, what) {
  for (let attempt = 0; attempt < 600 && !stopping; attempt++) {
    try {
      const response = await fetch(url);
      if (response.ok) return true;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (!stopping) console.error(`${what} did not become ready at ${url}.`);
  return false;
}

// The API as `npm start` runs it (compiled first), in development mode unless told otherwise.
// Its DATA_DIR stays where `npm start` keeps it (./data, secrets and SQLite file), so both
// commands share one database; the dev server refuses to serve that directory (fs.allow and
// fs.deny in web/vite.config.ts, which reads the same DATA_DIR). TRUST_PROXY_HOPS is left
// alone: the dev proxy adds no X-Forwarded-For, so per-IP limits see 127.0.0.1 for every
// browser here, and a trusted header would let any local caller of the API pick its own IP.
start('The API', 'npm', ['start', '--silent'], {
  cwd: root,
  env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development', PORT: apiPort },
});
start('The Vite dev server', path.join(root, 'node_modules/.bin/vite'), ['--port', webPort, '--strictPort'], {
  cwd: path.join(root, 'web'),
  env: { ...process.env, TOLLGATE_API_ORIGIN: apiOrigin, TOLLGATE_WEB_PORT: webPort },
});

const [apiReady, webReady] = await Promise.all([
  waitFor(`${apiOrigin}/readyz`, 'The API'),
  waitFor(webOrigin, 'The web app'),
]);
if (apiReady && webReady) {
  console.log(
    `\n  Tollgate is running: open ${webOrigin}\n  (API and Apollo Sandbox: ${apiOrigin}/graphql, proxied for the app at ${webOrigin}/graphql)\n`,
  );
} else {
  stopAll(1);
}
