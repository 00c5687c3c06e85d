import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { serveDevServer, servePreview, type ServedWebApp } from './helpers/web-app';

/*
 * What the web app's Vite servers (web/vite.config.ts) hand out besides the app: `npm run web`
 * runs the API with its secrets in DATA_DIR under the repository, next to the dev server. No
 * browser needed: plain HTTP, as curl or another page's fetch would send it.
 */

const root = path.resolve(__dirname, '../..');
const webDir = path.join(root, 'web');
// Scratch files inside an allowed directory (node_modules: not watched, not linted), so that
// a refusal proves the deny rules and not merely the allow list.
const scratchParent = path.join(root, 'node_modules');

const fsUrl = (origin: string, file: string) => `${origin}/@fs${file}`;

/** Another page on localhost (any port) reading with script: CORS decides whether it may. */
const OTHER_LOCAL_PAGE = 'http://localhost:1';

describe('the web app’s Vite servers', () => {
  jest.setTimeout(120_000);

  let api: TestServer;
  let apiOrigin: string;
  let scratch: string;

  beforeAll(async () => {
    api = await startTestServer('sqlite');
    apiOrigin = new URL(api.url).origin;
    scratch = mkdtempSync(path.join(scratchParent, '.tollgate-dev-server-test-'));
  });
  afterAll(async () => {
    await api?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** The page's navigation to /graphql is refused with a pointer; the app's own requests pass. */
  async function expectSandboxRefusedAndProxyWorking(web: ServedWebApp): Promise<void> {
    // The API itself serves Sandbox outside production: what the proxy would have passed on.
    const direct = await fetch(api.url, { headers: { accept: 'text/html' } });
    expect(direct.status).toBe(200);
    expect(await direct.text()).toMatch(/sandbox/i);

    for (const accept of ['text/html', 'text/html,application/xhtml+xml,*/*;q=0.8']) {
      const page = await fetch(`${web.origin}/graphql`, { headers: { accept } });
      expect(page.status).toBe(404);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const body = await page.text();
      expect(body).toContain(`${apiOrigin}/graphql`);
      expect(body).not.toMatch(/<script|apollographql\.com/i);
    }
    const withQuery = await fetch(`${web.origin}/graphql?query=%7B__typename%7D`, { headers: { accept: 'text/html' } });
    expect(withQuery.status).toBe(404);

    const query = await fetch(`${web.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(query.status).toBe(200);
    expect(await query.json()).toEqual({ data: { __typename: 'Query' } });
  }

  async function expectNoCors(web: ServedWebApp, file: string): Promise<void> {
    const read = await fetch(`${web.origin}${file}`, { headers: { origin: OTHER_LOCAL_PAGE } });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${web.origin}${file}`, {
      method: 'OPTIONS',
      headers: { origin: OTHER_LOCAL_PAGE, 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  }

  describe('the dev server (npm run web)', () => {
    let web: ServedWebApp;
    let dataDir: string;
    let stray: string;

    beforeAll(async () => {
      // The API's data directory as `npm run web` leaves it: secrets, database, mail outbox.
      dataDir = path.join(scratch, 'data');
      mkdirSync(path.join(dataDir, 'outbox'), { recursive: true });
      for (const [file, content] of [
        ['jwt-secret', 'jwt-secret-value'],
        ['refresh-token-secret', 'refresh-secret-value'],
        ['tollgate.db', 'SQLite format 3'],
        ['outbox/reset.eml', 'a password reset link'],
      ]) {
        writeFileSync(path.join(dataDir, file!), content!);
      }
      // A directory elsewhere with a secret's name in it, and an ordinary file as a control.
      stray = path.join(scratch, 'elsewhere');
      mkdirSync(stray);
      writeFileSync(path.join(stray, 'jwt-secret'), 'stray-secret');
      writeFileSync(path.join(stray, 'notes.txt'), 'ordinary file');
      web = await serveDevServer(apiOrigin, { DATA_DIR: dataDir });
    });
    afterAll(async () => {
      await web?.close();
    });

    it('refuses the API’s data directory through /@fs/ with 403, even inside a served directory', async () => {
      // The control: /@fs/ does serve an ordinary file of an allowed directory.
      const ordinary = await fetch(fsUrl(web.origin, path.join(stray, 'notes.txt')));
      expect(ordinary.status).toBe(200);

      for (const file of ['jwt-secret', 'refresh-token-secret', 'tollgate.db', 'outbox/reset.eml']) {
        const response = await fetch(fsUrl(web.origin, path.join(dataDir, file)));
        expect([file, response.status]).toEqual([file, 403]);
        expect(await response.text()).not.toContain('value');
      }
      // A secret's file name is refused wherever it is.
      const named = await fetch(fsUrl(web.origin, path.join(stray, 'jwt-secret')));
      expect(named.status).toBe(403);
    });

    it('serves /@fs/ only from web/, client/ and node_modules, not the repository root', async () => {
      for (const file of ['package.json', 'src/config.ts', '.ci/run']) {
        const response = await fetch(fsUrl(web.origin, path.join(root, file)));
        expect([file, response.status]).toEqual([file, 403]);
      }
      // The client package is imported as source by the app: still served.
      expect((await fetch(fsUrl(web.origin, path.join(root, 'client/src/index.ts')))).status).toBe(200);
      expect((await fetch(`${web.origin}/src/main.tsx`)).status).toBe(200);
    });

    it('lets no other page on localhost read its files (no CORS)', async () => {
      await expectNoCors(web, '/src/main.tsx');
    });

    it('refuses a browser’s navigation to /graphql (Apollo Sandbox on the app’s origin) and still proxies the app’s requests', async () => {
      await expectSandboxRefusedAndProxyWorking(web);
    });
  });

  describe('the preview server (vite preview of a build)', () => {
    let web: ServedWebApp;
    beforeAll(async () => {
      // A stand-in build: the preview's rules do not depend on what the bundle holds.
      const outDir = path.join(scratch, 'dist');
      mkdirSync(outDir);
      writeFileSync(path.join(outDir, 'index.html'), '<!doctype html><title>Tollgate</title>');
      web = await servePreview(outDir, apiOrigin);
    });
    afterAll(async () => {
      await web?.close();
    });

    it('lets no other page on localhost read it (no CORS)', async () => {
      await expectNoCors(web, '/index.html');
    });

    it('refuses a browser’s navigation to /graphql and still proxies the app’s requests', async () => {
      await expectSandboxRefusedAndProxyWorking(web);
    });
  });

  it('resolves, with no DATA_DIR set, a deny rule for <repo>/data and a production build without source maps', async () => {
    const script = `
      import { resolveConfig } from 'vite';
      const serve = await resolveConfig({ root: ${JSON.stringify(webDir)} }, 'serve', 'development');
      const build = await resolveConfig({ root: ${JSON.stringify(webDir)} }, 'build', 'production');
      const probe = (file) => serve.fsDenyGlob(${JSON.stringify(root)} + file);
      console.log(JSON.stringify({
        denied: ['/data/jwt-secret', '/data/refresh-token-secret', '/data/tollgate.db', '/data/outbox/a.eml'].map(probe),
        allowed: probe('/web/src/main.tsx'),
        allow: serve.server.fs.allow,
        sourcemap: build.build.sourcemap,
      }));
    `;
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.DATA_DIR;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: webDir,
      env,
    });
    const resolved = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      denied: boolean[];
      allowed: boolean;
      allow: string[];
      sourcemap: unknown;
    };
    expect(resolved.denied).toEqual([true, true, true, true]);
    expect(resolved.allowed).toBe(false);
    expect(resolved.allow.sort()).toEqual([webDir, path.join(root, 'client'), path.join(root, 'node_modules')].sort());
    expect(resolved.sourcemap).toBe(false);
  });
});
