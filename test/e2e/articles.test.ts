import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { Role } from '../../src/auth/roles';
import { startTestServer, TEST_PASSWORD, type TestServer } from '../helpers/test-server';
import { CHROMIUM_ARGS, describeInChromium } from './helpers/chromium';
import { openWatchedPage, screenshot, type WatchedPage } from './helpers/watched-page';
import { serveDevServer, serveWebApp, type ServedWebApp } from './helpers/web-app';

/*
 * Live articles in real Chromium: the web app as it ships (`vite build` + `vite preview`, whose
 * proxy forwards /graphql, WebSocket upgrades included, to the API). A reader keeps the
 * Articles page open; in another browser (its own cookies and session) an EDITOR publishes
 * what the reader submitted, and the reader's page shows it without a reload, over the
 * `articlePublished` subscription. Ends with screenshots and no console error.
 */

const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1100, height: 800 };

describeInChromium('live articles in Chromium', (executablePath) => {
  jest.setTimeout(120_000);

  let server: TestServer;
  let web: ServedWebApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let watched: WatchedPage[] = [];

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    web = await serveWebApp(new URL(server.url).origin);
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
    await server.createUser('reader@example.com', [Role.USER]);
    await server.createUser('editor@example.com', [Role.EDITOR]);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await server?.close();
  });

  afterEach(async () => {
    for (const [index, tab] of watched.entries()) {
      if (!tab.page.isClosed()) await screenshot(tab.page, `articles-live-tab${index + 1}`).catch(() => undefined);
    }
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    watched = [];
  });

  async function newTab(viewport = DESKTOP): Promise<WatchedPage> {
    const context = await browser.newContext({ viewport, baseURL: web.origin });
    contexts.push(context);
    const tab = await openWatchedPage(context);
    watched.push(tab);
    return tab;
  }

  async function logInToArticles(page: Page, email: string): Promise<void> {
    await page.goto('/login');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.getByRole('heading', { name: 'Your profile' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Articles' }).click();
    await page.getByRole('heading', { name: 'Articles', level: 1 }).waitFor();
  }

  it('shows an article the moment an editor publishes it, without a reload', async () => {
    const reader = await newTab(PHONE);
    const editor = await newTab();
    await logInToArticles(reader.page, 'reader@example.com');
    await reader.page.getByText('No articles are published yet.').waitFor();
    // Marks this document: a reload or navigation would lose it.
    await reader.page.evaluate('window.__sameDocument = true');

    // The reader writes and submits; only an EDITOR sees the review queue.
    const form = reader.page.getByRole('form', { name: 'Write an article' });
    await form.getByLabel('Title').fill('Gates and tolls');
    await form.getByLabel('Text').fill('A short history of paying to pass.');
    await form.getByRole('button', { name: 'Submit for review' }).click();
    await form.getByText('Your article was sent for review. An editor will publish it.').waitFor();
    expect(await reader.page.getByRole('region', { name: 'In review' }).count()).toBe(0);

    await logInToArticles(editor.page, 'editor@example.com');
    const review = editor.page.getByRole('region', { name: 'In review' });
    await review.getByText('Gates and tolls by reader').waitFor();
    await review.getByRole('button', { name: 'Publish “Gates and tolls”' }).click();
    await review.getByText('“Gates and tolls” was published.').waitFor();
    await review.getByText('Nothing is waiting for review.').waitFor();

    // The reader's open page, untouched: the article arrives over the subscription.
    const published = reader.page.getByRole('list', { name: 'Published articles' });
    await published.getByRole('heading', { name: 'Gates and tolls' }).waitFor();
    await reader.page.getByText('New article: Gates and tolls').waitFor({ state: 'attached' });
    expect(await reader.page.evaluate('window.__sameDocument')).toBe(true);
    expect(
      await reader.page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
    ).toBeLessThanOrEqual(0);

    expect(watched.flatMap((tab) => tab.problems)).toEqual([]);
  });

  describe('the dev server (`npm run web`)', () => {
    let dev: ServedWebApp;
    beforeAll(async () => {
      dev = await serveDevServer(new URL(server.url).origin);
    }, 120_000);
    afterAll(async () => {
      await dev?.close();
    });

    it('forwards WebSocket upgrades on /graphql to the API, and still refuses the Sandbox page', async () => {
      const socket = new WebSocket(`${dev.origin.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', {
        origin: dev.origin,
      });
      const acknowledged = new Promise<string>((resolve, reject) => {
        socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
        socket.once('message', (data: WebSocket.RawData) =>
          resolve((JSON.parse(String(data)) as { type: string }).type),
        );
        socket.once('error', reject);
        socket.once('close', (code) => reject(new Error(`closed with ${code}`)));
      });
      try {
        expect(await acknowledged).toBe('connection_ack');
      } finally {
        socket.close();
      }

      const navigation = await fetch(`${dev.origin}/graphql`, { headers: { accept: 'text/html' } });
      expect(navigation.status).toBe(404);
    });
  });
});
