import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig, type Connect, type Plugin } from 'vite';

// The API the dev server forwards /graphql to. The app and the API then share one origin,
// so the refresh cookie (SameSite=Strict, __Host-) needs no CORS and no third-party cookie.
const apiOrigin = process.env.TOLLGATE_API_ORIGIN ?? 'http://localhost:4000';

const webDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(webDir, '..');
// Where `npm run web` has the API keep its signing secrets and SQLite file (web/scripts/web.mjs
// starts it from the repository root, so a relative DATA_DIR is resolved there, as the API does).
const apiDataDir = path.resolve(repoRoot, process.env.DATA_DIR?.trim() || 'data');

/** A path as a glob that matches only itself: a checkout under `/home/me/dev (old)/` stays literal. */
const literalGlob = (filePath: string) =>
  filePath
    .split(path.sep)
    .join('/')
    .replace(/[*?[\]{}()!+@|]/g, '\\$&');

// What the dev server may hand out through /@fs/: the app, the client package it imports as
// source, and the installed packages. Not the workspace root (Vite's default), which holds the
// API's data directory: /@fs/<repo>/data/jwt-secret would let anyone who can reach the dev
// server mint tokens.
const servedDirs = [webDir, path.join(repoRoot, 'client'), path.join(repoRoot, 'node_modules')];
const deniedFiles = [
  // Vite's own defaults (setting `deny` replaces them).
  '.env',
  '.env.*',
  '*.{crt,pem,key,p12,pfx,cer,der}',
  '.npmrc',
  '.yarnrc.yml',
  '**/.git/**',
  // The API's secrets and database, wherever they are, even if a directory above is allowed.
  `${literalGlob(apiDataDir)}/**`,
  'jwt-secret',
  'refresh-token-secret',
  'signing-keys*',
  '*.{db,db-journal,db-wal,db-shm,sqlite,sqlite3}',
];

/**
 * Refuses page navigations to /graphql (a browser asking for HTML). Through the proxy the API
 * would answer with its Apollo Sandbox page, on the app's own origin: the Sandbox's third-party
 * CDN script would run with the app's refresh cookie and could listen on the app's
 * BroadcastChannel, where tabs pass access tokens. Sandbox belongs on the API's own origin.
 */
function refuseSandboxOnAppOrigin(): Plugin {
  const refuse: Connect.NextHandleFunction = (req, res, next) => {
    const pathname = (req.url ?? '').split('?')[0];
    const accept = String(req.headers.accept ?? '');
    if (pathname !== '/graphql' || !/\btext\/html\b/i.test(accept)) return next();
    const sandbox = `${apiOrigin}/graphql`;
    res.statusCode = 404;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.end(
      '<!doctype html><meta charset="utf-8"><title>Not here</title>' +
        '<p>This address is the web app’s GraphQL endpoint, for the app’s own requests. ' +
        `Apollo Sandbox runs on the API’s own origin: <a href="${sandbox}">${sandbox}</a>.</p>`,
    );
  };
  return {
    name: 'tollgate:refuse-sandbox-on-app-origin',
    // Registered before Vite's own middlewares, so ahead of the /graphql proxy.
    configureServer: (server) => void server.middlewares.use(refuse),
    configurePreviewServer: (server) => void server.middlewares.use(refuse),
  };
}

// `ws: true`: WebSocket upgrades on /graphql (subscriptions) go to the API too. The Sandbox
// refusal above sees only HTTP requests, so it still applies.
const graphqlProxy = { '/graphql': { target: apiOrigin, changeOrigin: false, ws: true } };

export default defineConfig({
  plugins: [react(), refuseSandboxOnAppOrigin()],
  // @tollgate/client is a workspace: use its TypeScript sources, no build step in between.
  resolve: { conditions: ['@tollgate/source', ...defaultClientConditions] },
  server: {
    host: 'localhost',
    port: Number(process.env.TOLLGATE_WEB_PORT ?? 5173),
    strictPort: true,
    // No cross-origin reads of the dev server's files: another page open on localhost (any
    // port) must not fetch the app's modules or /@fs/ files with script.
    cors: false,
    fs: { strict: true, allow: servedDirs, deny: deniedFiles },
    // The per-IP limits of the API see 127.0.0.1 for every browser behind this proxy (no
    // X-Forwarded-For: the API trusts none unless TRUST_PROXY_HOPS says so).
    proxy: graphqlProxy,
  },
  preview: {
    cors: false,
    proxy: graphqlProxy,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No source maps in the shipped bundle: a static host would serve them to anyone.
    // `vite build --sourcemap` makes them for a local investigation.
    sourcemap: false,
    // React, Apollo Client and graphql-js make the first chunk about 510 kB (155 kB gzipped);
    // the admin pages are split off. Warn only beyond that.
    chunkSizeWarningLimit: 600,
  },
});
