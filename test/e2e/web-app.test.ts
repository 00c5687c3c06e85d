import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { userCreate } from '../../src/cli/user-create.command';
import { Role } from '../../src/auth/roles';
import { startTestServer, TEST_PASSWORD, type TestServer } from '../helpers/test-server';
import { CHROMIUM_ARGS, describeInChromium } from './helpers/chromium';
import { recordGraphQLTraffic } from './helpers/graphql-traffic';
import { openWatchedPage, screenshot, type WatchedPage } from './helpers/watched-page';
import { serveWebApp, type ServedWebApp } from './helpers/web-app';

/*
 * The web app (web/) in real Chromium against the real API: built once with `vite build`,
 * served by `vite preview` with /graphql forwarded to an in-process API (SQLite, a clock the
 * test moves). Every scenario ends with a screenshot in test/e2e/artifacts/ and with no
 * uncaught exception and no console error in any of its tabs.
 *
 * UPDATE_SCREENSHOTS=1 also rewrites the README's screenshots in docs/screenshots/ (360 px wide).
 */

const root = path.resolve(__dirname, '../..');
const DOC_SCREENSHOTS = path.join(root, 'docs/screenshots');
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1100, height: 800 };

describeInChromium('the web app in Chromium', (executablePath) => {
  jest.setTimeout(120_000);

  let server: TestServer;
  let web: ServedWebApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let watched: WatchedPage[] = [];

  beforeAll(async () => {
    server = await startTestServer('sqlite', {
      // Every scenario signs up its own people from 127.0.0.1.
      env: { SIGNUP_MAX_PER_IP: '100' },
    });
    web = await serveWebApp(new URL(server.url).origin);
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await server?.close();
  });

  // Every scenario ends with a picture of each of its tabs, passed or failed.
  afterEach(async () => {
    const scenario = (expect.getState().currentTestName ?? 'scenario').replace(/^.*?(\d+)\. /, '$1-');
    const slug = scenario
      .replace(/[^a-z0-9-]+/gi, '-')
      .slice(0, 60)
      .replace(/-+$/, '');
    for (const [index, tab] of watched.entries()) {
      if (!tab.page.isClosed()) await screenshot(tab.page, `${slug}-tab${index + 1}`).catch(() => undefined);
    }
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    watched = [];
  });

  /** A browser profile of its own (its own cookie jar): one person on one device. */
  async function newDevice(viewport = DESKTOP): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport, baseURL: web.origin });
    contexts.push(context);
    return context;
  }

  async function newTab(context: BrowserContext): Promise<WatchedPage> {
    const tab = await openWatchedPage(context);
    watched.push(tab);
    return tab;
  }

  function expectNoPageProblems(): void {
    expect(watched.flatMap((tab) => tab.problems)).toEqual([]);
  }

  async function signUp(page: Page, email: string, password = TEST_PASSWORD): Promise<void> {
    await page.goto('/signup');
    await page.getByLabel('Name').fill(email.split('@')[0]!);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expectProfileOf(page, email);
  }

  async function logIn(page: Page, email: string, password = TEST_PASSWORD): Promise<void> {
    await page.goto('/login');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
  }

  async function expectProfileOf(page: Page, email: string): Promise<void> {
    await page.getByRole('heading', { name: 'Your profile' }).waitFor();
    await page.getByTestId('profile-email').getByText(email, { exact: true }).waitFor();
  }

  async function isFocused(page: Page, label: string): Promise<boolean> {
    return page.getByLabel(label, { exact: true }).evaluate(isActiveElement);
  }

  // Runs in the page; typed structurally, since the test's own tsconfig has no DOM library.
  function isActiveElement(element: { ownerDocument: { activeElement: unknown } }): boolean {
    return element === element.ownerDocument.activeElement;
  }

  async function horizontalOverflow(page: Page): Promise<number> {
    return page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  }

  async function mainNavigationLinks(page: Page): Promise<string[]> {
    return page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
  }

  /** The README's pictures: only on request, so an ordinary run leaves the work tree clean. */
  async function documentationScreenshot(page: Page, name: string): Promise<void> {
    if (process.env.UPDATE_SCREENSHOTS !== '1') return;
    mkdirSync(DOC_SCREENSHOTS, { recursive: true });
    const size = page.viewportSize();
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: path.join(DOC_SCREENSHOTS, `${name}.png`), fullPage: true });
    if (size) await page.setViewportSize(size);
  }

  it('1. signs up with the keyboard alone on a 360 px screen and lands on the profile with its own email', async () => {
    const { page } = await newTab(await newDevice(PHONE));
    await page.goto('/signup');
    await page.getByRole('heading', { name: 'Create an account' }).waitFor();

    // Keyboard only: from the focused heading, Tab reaches each labelled input in order.
    await page.keyboard.press('Tab');
    expect(await isFocused(page, 'Name')).toBe(true);
    await page.keyboard.type('Ann');
    await page.keyboard.press('Tab');
    expect(await isFocused(page, 'Email')).toBe(true);
    await page.keyboard.type('ann@example.com');
    await page.keyboard.press('Tab');
    expect(await isFocused(page, 'Password')).toBe(true);
    await page.keyboard.type('short');
    await page.keyboard.press('Enter');

    // A password rule: said in words next to the field, which is marked invalid and focused.
    const password = page.getByLabel('Password', { exact: true });
    await page.getByText('Password must be at least 8 characters.').waitFor();
    expect(await password.getAttribute('aria-invalid')).toBe('true');
    expect(await isFocused(page, 'Password')).toBe(true);
    const describedBy = (await password.getAttribute('aria-describedby'))?.split(' ') ?? [];
    const descriptions = await Promise.all(describedBy.map((id) => page.locator(`[id="${id}"]`).textContent()));
    expect(descriptions).toContain('Password must be at least 8 characters.');

    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(TEST_PASSWORD);
    await page.keyboard.press('Enter');
    await expectProfileOf(page, 'ann@example.com');
    expect(await page.getByTestId('profile-roles').textContent()).toBe('USER');
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);

    await documentationScreenshot(page, 'profile');
    expectNoPageProblems();
  });

  it('2. stays signed in across a reload (cookie refresh) without ever drawing the login form', async () => {
    const { page } = await newTab(await newDevice());
    await signUp(page, 'bob@example.com');
    // Installed before the reloaded document exists: sees every element the app ever inserts.
    await page.addInitScript(`
      window.__seen = { loginForm: false, restoring: false };
      new MutationObserver(() => {
        if (document.querySelector('form[name="login"]')) window.__seen.loginForm = true;
        if (document.querySelector('[data-testid="restoring"]')) window.__seen.restoring = true;
      }).observe(document, { childList: true, subtree: true });
    `);
    const traffic = recordGraphQLTraffic(page);

    await page.reload();
    await expectProfileOf(page, 'bob@example.com');
    await traffic.settled();

    const seen = (await page.evaluate('window.__seen')) as { loginForm: boolean; restoring: boolean };
    expect(seen.restoring).toBe(true); // the observer ran while the session was being restored…
    expect(seen.loginForm).toBe(false); // …and the signed-out UI never appeared.
    expect(traffic.exchanges.filter((e) => /refresh/i.test(e.operationName ?? ''))).toHaveLength(1);

    expectNoPageProblems();
  });

  it('3. shows a USER who types the admin URL a "not allowed" page, and never an admin link', async () => {
    const { page } = await newTab(await newDevice());
    await signUp(page, 'carol@example.com');
    expect(await mainNavigationLinks(page)).toEqual(['Profile', 'Sessions', 'Passkeys', 'Two-factor', 'Articles']);
    const traffic = recordGraphQLTraffic(page);

    for (const url of ['/admin/users', '/admin/audit']) {
      await page.goto(url);
      await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
      expect(await mainNavigationLinks(page)).toEqual(['Profile', 'Sessions', 'Passkeys', 'Two-factor', 'Articles']);
    }
    await page.getByText('Your account is not allowed to see this page.').waitFor();
    // Decided from the schema's policies in the page: the admin queries were never sent.
    await traffic.settled();
    expect(traffic.exchanges.map((e) => e.operationName)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^(AdminUsers|AuditLog)$/)]),
    );
    expect(traffic.exchanges.filter((e) => /refresh/i.test(e.operationName ?? ''))).toHaveLength(2); // the two page loads

    await documentationScreenshot(page, 'not-allowed');
    expectNoPageProblems();
  });

  it("4. an ADMIN makes a USER an EDITOR; the USER's open tab shows it after a silent refresh (TOKEN_STALE)", async () => {
    const user = await newTab(await newDevice());
    await signUp(user.page, 'dave@example.com');
    expect(await user.page.getByTestId('profile-roles').textContent()).toBe('USER');

    // The ADMIN comes from the command `npm run user:create` runs, on the test server's database.
    const output: string[] = [];
    const exitCode = await userCreate(
      ['--email', 'root@example.com', '--role', 'ADMIN', '--name', 'Root'],
      server.config,
      pino({ level: 'silent' }),
      { readPassword: async () => TEST_PASSWORD, out: (line) => output.push(line), err: (line) => output.push(line) },
    );
    expect({ exitCode, output }).toEqual({
      exitCode: 0,
      output: [expect.stringMatching(/^Created ADMIN root@example\.com/)],
    });

    const admin = await newTab(await newDevice());
    await logIn(admin.page, 'root@example.com');
    await expectProfileOf(admin.page, 'root@example.com');
    expect(await mainNavigationLinks(admin.page)).toEqual([
      'Profile',
      'Sessions',
      'Passkeys',
      'Two-factor',
      'Articles',
      'Users',
      'Audit log',
    ]);
    await admin.page.getByRole('link', { name: 'Users' }).click();
    await admin.page.getByRole('heading', { name: 'Users' }).waitFor();
    await admin.page.getByLabel('Role of dave@example.com').selectOption('EDITOR');
    const row = admin.page.getByTestId('admin-user').filter({ hasText: 'dave@example.com' });
    await admin.page.getByRole('button', { name: 'Save role of dave@example.com' }).click();
    await admin.page.getByText('dave@example.com is now Editor.').waitFor();
    await row.getByText('dave@example.com · EDITOR').waitFor();
    await documentationScreenshot(admin.page, 'admin-users');

    // The USER's tab still holds an access token minted with USER: the server answers it
    // 401 TOKEN_STALE, the client refreshes once and retries, and the page just updates.
    user.expectStatuses(401);
    const traffic = recordGraphQLTraffic(user.page);
    await user.page.getByRole('button', { name: 'Reload profile' }).click();
    await user.page.getByTestId('profile-roles').getByText('EDITOR', { exact: true }).waitFor();
    await traffic.settled();
    expect(traffic.exchanges.some((e) => e.status === 401 && e.reasons.includes('TOKEN_STALE'))).toBe(true);
    expect(traffic.exchanges.filter((e) => /refresh/i.test(e.operationName ?? ''))).toHaveLength(1);
    expect(await user.page.getByRole('alert').count()).toBe(0);
    expect(await mainNavigationLinks(user.page)).toEqual(['Profile', 'Sessions', 'Passkeys', 'Two-factor', 'Articles']); // EDITOR is not ADMIN

    expectNoPageProblems();
  });

  it('5. two tabs of one person refreshing at the same moment both stay signed in', async () => {
    const device = await newDevice();
    const first = await newTab(device);
    await signUp(first.page, 'erin@example.com');
    const second = await newTab(device);
    await second.page.goto('/profile');
    await expectProfileOf(second.page, 'erin@example.com');

    // Both tabs restore from the same refresh cookie at once.
    await Promise.all([first.page.reload(), second.page.reload()]);
    await Promise.all([
      expectProfileOf(first.page, 'erin@example.com'),
      expectProfileOf(second.page, 'erin@example.com'),
    ]);

    // And both keep working afterwards, on one session.
    for (const tab of [first, second]) {
      await tab.page.getByRole('link', { name: 'Sessions' }).click();
      await tab.page.getByRole('heading', { name: 'Your sessions' }).waitFor();
      await tab.page.getByText('This device').waitFor();
      expect(await tab.page.getByRole('list', { name: 'Open sessions' }).getByRole('listitem').count()).toBe(1);
      expect(await tab.page.getByRole('alert').count()).toBe(0);
    }

    expectNoPageProblems();
  });

  it('6. after the access token expired while the tab sat idle, the next action succeeds silently', async () => {
    const tab = await newTab(await newDevice());
    await signUp(tab.page, 'frank@example.com');

    // Idle past the access token's lifetime (the server's clock; the tab's timers never fired).
    server.clock.advance(server.config.jwt.accessTokenTtlSeconds + 60);
    tab.expectStatuses(401);
    const traffic = recordGraphQLTraffic(tab.page);
    await tab.page.getByRole('link', { name: 'Sessions' }).click();
    await tab.page.getByText('This device').waitFor();
    await traffic.settled();

    expect(traffic.exchanges.some((e) => e.status === 401 && e.reasons.includes('TOKEN_EXPIRED'))).toBe(true);
    expect(traffic.exchanges.at(-1)).toMatchObject({ status: 200, reasons: [] });
    expect(await tab.page.getByRole('alert').count()).toBe(0);

    expectNoPageProblems();
  });

  it('7. a logout in one tab shows the login page in the other within a second; Back shows nothing private', async () => {
    const device = await newDevice();
    const first = await newTab(device);
    await signUp(first.page, 'grace@example.com');
    await first.page.getByRole('link', { name: 'Sessions' }).click();
    await first.page.getByText('This device').waitFor();
    const second = await newTab(device);
    await second.page.goto('/profile');
    await expectProfileOf(second.page, 'grace@example.com');
    // Both tabs have a private page behind the current one in their history.
    await second.page.getByRole('link', { name: 'Sessions' }).click();
    await second.page.getByText('This device').waitFor();

    await first.page.getByRole('button', { name: 'Log out', exact: true }).click();
    await first.page.getByRole('heading', { name: 'Log in' }).waitFor();
    const loggedOutAt = Date.now();
    await second.page.getByRole('heading', { name: 'Log in' }).waitFor({ timeout: 5_000 });
    expect(Date.now() - loggedOutAt).toBeLessThan(1_000);

    for (const tab of [first, second]) {
      // Watches every change the Back navigation makes, not just the page it settles on.
      await tab.page.evaluate(`
        window.__privateSeen = false;
        new MutationObserver(() => {
          if (/grace@example\\.com|Your profile|Your sessions/.test(document.body.innerText)) window.__privateSeen = true;
        }).observe(document, { childList: true, subtree: true, characterData: true });
      `);
      await tab.page.goBack();
      await tab.page.waitForURL((url) => url.pathname === '/login');
      await tab.page.getByRole('heading', { name: 'Log in' }).waitFor();
      expect(await tab.page.evaluate('window.__privateSeen')).toBe(false);
      expect(await tab.page.locator('body').innerText()).not.toMatch(/grace@example\.com|Your profile|Your sessions/);
    }

    expectNoPageProblems();
  });

  it('8. the 11th wrong password says "too many attempts" with the wait time, on a 360 px screen', async () => {
    await server.createUser('heidi@example.com');
    const tab = await newTab(await newDevice(PHONE));
    await tab.page.goto('/login');
    await tab.page.getByLabel('Email').fill('heidi@example.com');
    const alert = tab.page.getByRole('alert');
    for (let attempt = 1; attempt <= 10; attempt++) {
      await tab.page.getByLabel('Password').fill(`wrong password ${attempt}`);
      await tab.page.getByRole('button', { name: 'Log in' }).click();
      await alert.getByText('That email and password do not match an account').waitFor();
      await tab.page.getByRole('button', { name: 'Log in' }).waitFor();
      expect(await alert.count()).toBe(1);
    }
    tab.expectStatuses(429);
    await tab.page.getByLabel('Password').fill('wrong password 11');
    await tab.page.getByRole('button', { name: 'Log in' }).click();
    await alert.getByText(/^Too many attempts\. Please wait \d+ (minutes?|seconds?) and try again\.$/).waitFor();
    expect(await isFocused(tab.page, 'Password')).toBe(false); // the alert took focus, not an input
    expect(await alert.evaluate(isActiveElement)).toBe(true);
    expect(await horizontalOverflow(tab.page)).toBeLessThanOrEqual(0);

    await documentationScreenshot(tab.page, 'too-many-attempts');
    expectNoPageProblems();
  });

  it('9. says in words that the network or the service is down, and works again when it is back', async () => {
    await server.createUser('ivan@example.com');
    const tab = await newTab(await newDevice());
    await tab.page.goto('/login');
    await tab.page.getByRole('heading', { name: 'Log in' }).waitFor();

    tab.expectNetworkFailures();
    await tab.page.route('**/graphql', (route) => route.abort('connectionrefused'));
    await tab.page.getByLabel('Email').fill('ivan@example.com');
    await tab.page.getByLabel('Password').fill(TEST_PASSWORD);
    await tab.page.getByRole('button', { name: 'Log in' }).click();
    await tab.page
      .getByRole('alert')
      .getByText('We cannot reach the server. Check your connection and try again.')
      .waitFor();

    await tab.page.unroute('**/graphql');

    // The API's own outage answers (README "Errors"), staged at the network edge.
    tab.expectStatuses(503);
    const outages = [
      {
        status: 503,
        extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: 30 },
        says: 'The service is temporarily unavailable. Please try again in 30 seconds.',
      },
      {
        status: 200,
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-1' },
        says: 'Something went wrong on our side. Please try again in a moment.',
      },
    ];
    for (const { status, extensions, says } of outages) {
      await tab.page.route('**/graphql', (route) =>
        route.fulfill({
          status,
          contentType: 'application/json',
          body: JSON.stringify({ data: null, errors: [{ message: 'staged', extensions }] }),
        }),
      );
      await tab.page.getByRole('button', { name: 'Log in' }).click();
      await tab.page.getByRole('alert').getByText(says).waitFor();
      await tab.page.unroute('**/graphql');
    }

    await tab.page.getByRole('button', { name: 'Log in' }).click();
    await expectProfileOf(tab.page, 'ivan@example.com');
    expectNoPageProblems();
  });

  it('10. an ADMIN pages through users, disables one (whose tab is signed out), enables them, and reads their audit log', async () => {
    await server.createUser('boss@example.com', [Role.ADMIN]);
    // More than one page of users (20 a page), whatever the scenarios before created.
    const crowd = Array.from({ length: 21 }, (_, i) => `member${String(i).padStart(2, '0')}@example.com`);
    // A second apart: the list is oldest first, and the test clock stands still otherwise.
    for (const email of crowd) {
      server.clock.advance(1);
      await server.createUser(email);
    }
    server.clock.advance(1);
    const judy = await newTab(await newDevice());
    await signUp(judy.page, 'judy@example.com');

    const admin = await newTab(await newDevice());
    await logIn(admin.page, 'boss@example.com');
    await expectProfileOf(admin.page, 'boss@example.com');
    await admin.page.getByRole('link', { name: 'Users' }).click();
    const users = admin.page.getByRole('list', { name: 'Users' });
    await users.getByRole('listitem').first().waitFor();
    expect(await users.getByRole('listitem').count()).toBe(20);
    const firstPage = await users.getByRole('listitem').allTextContents();

    // Page 2 holds whoever is left (judy, the newest, among them); Previous returns to page 1.
    const pager = admin.page.getByRole('navigation', { name: 'Pages of users' });
    await pager.getByRole('button', { name: 'Next page' }).click();
    await pager.getByText('Page 2').waitFor();
    await users.getByText('judy@example.com', { exact: false }).first().waitFor();
    const secondPage = await users.getByRole('listitem').allTextContents();
    expect(secondPage.some((row) => firstPage.includes(row))).toBe(false);
    await pager.getByRole('button', { name: 'Previous page' }).click();
    await pager.getByText('Page 1').waitFor();
    expect(await users.getByRole('listitem').allTextContents()).toEqual(firstPage);
    await pager.getByRole('button', { name: 'Next page' }).click();
    await pager.getByText('Page 2').waitFor();

    // Disabling ends every session of judy's: her open tab is signed out at its next request.
    server.clock.advance(1);
    await admin.page.getByRole('button', { name: 'Disable judy@example.com' }).click();
    await admin.page.getByText('judy@example.com is disabled and signed out everywhere.').waitFor();
    judy.expectStatuses(401);
    await judy.page.getByRole('button', { name: 'Reload profile' }).click();
    await judy.page.getByRole('heading', { name: 'Log in' }).waitFor();
    await judy.page.getByText('You were signed out: this session was ended').waitFor();
    await judy.page.getByLabel('Email').fill('judy@example.com');
    await judy.page.getByLabel('Password').fill(TEST_PASSWORD);
    server.clock.advance(1);
    await judy.page.getByRole('button', { name: 'Log in' }).click();
    await judy.page.getByText('That email and password do not match an account').waitFor();

    server.clock.advance(1);
    await admin.page.getByRole('button', { name: 'Enable judy@example.com' }).click();
    await admin.page.getByText('judy@example.com can log in again.').waitFor();
    server.clock.advance(1);
    await judy.page.getByRole('button', { name: 'Log in' }).click();
    await expectProfileOf(judy.page, 'judy@example.com');

    // Her audit log, filtered from her row: newest first, and only hers.
    await admin.page.getByRole('link', { name: 'Audit log of judy@example.com' }).click();
    await admin.page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const events = admin.page.getByRole('list', { name: 'Audit events, newest first' });
    await events.getByRole('listitem').first().waitFor();
    const titles = await events.locator('.list__title').allTextContents();
    expect(titles).toEqual(['Logged in', 'Account enabled', 'Login failed', 'Account disabled', 'Signed up']);
    const judyId = new URL(admin.page.url()).searchParams.get('user');
    expect(await events.getByText(`User ${judyId}`).count()).toBe(titles.length);
    // The filter input shows the id and clearing it lists everyone's events again.
    expect(await admin.page.getByLabel('Only events about user (id)').inputValue()).toBe(judyId);
    await admin.page.getByRole('link', { name: 'Show every user' }).click();
    await admin.page.waitForURL((url) => url.search === '');
    await events.getByText('User ', { exact: false }).first().waitFor();
    expect(await admin.page.getByLabel('Only events about user (id)').inputValue()).toBe('');
    expectNoPageProblems();
  });

  it('11. a password change ends the other devices\' sessions; "log out everywhere" ends this one too', async () => {
    const laptop = await newTab(await newDevice());
    await signUp(laptop.page, 'kim@example.com');
    const phone = await newTab(await newDevice(PHONE));
    await logIn(phone.page, 'kim@example.com');
    await expectProfileOf(phone.page, 'kim@example.com');

    // A wrong current password: said at that input, which is marked invalid and focused.
    await laptop.page.getByLabel('Current password').fill('not my password');
    await laptop.page.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
    await laptop.page.getByLabel('New password, again').fill('a brand new passphrase');
    await laptop.page.getByRole('button', { name: 'Change password' }).click();
    await laptop.page.getByText('The current password is incorrect.').waitFor();
    expect(await laptop.page.getByLabel('Current password').getAttribute('aria-invalid')).toBe('true');
    expect(await isFocused(laptop.page, 'Current password')).toBe(true);

    await laptop.page.getByLabel('Current password').fill(TEST_PASSWORD);
    await laptop.page.getByRole('button', { name: 'Change password' }).click();
    await laptop.page.getByText('Your password was changed, and your other sessions were ended.').waitFor();

    // The phone's session is over: its next request signs it out, and it says why.
    phone.expectStatuses(401);
    await phone.page.getByRole('link', { name: 'Sessions' }).click();
    await phone.page.getByRole('heading', { name: 'Log in' }).waitFor();
    await phone.page.getByText('You were signed out').waitFor();

    await laptop.page.getByRole('link', { name: 'Sessions' }).click();
    await laptop.page.getByText('This device').waitFor();
    expect(await laptop.page.getByRole('list', { name: 'Open sessions' }).getByRole('listitem').count()).toBe(1);
    await laptop.page.getByRole('button', { name: 'Log out everywhere' }).click();
    await laptop.page.getByRole('heading', { name: 'Log in' }).waitFor();
    await logIn(laptop.page, 'kim@example.com', 'a brand new passphrase');
    await expectProfileOf(laptop.page, 'kim@example.com');
    expectNoPageProblems();
  });

  it('12. after a session ended on its own, the next person to log in on that screen starts at their own profile', async () => {
    const device = await newDevice();
    const tab = await newTab(device);
    await signUp(tab.page, 'liam@example.com');
    // A second session of his elsewhere, which then ends them all ("log out everywhere" on a phone).
    const phone = (await (
      await server.post({
        query: `mutation { login(email: "liam@example.com", password: "${TEST_PASSWORD}") { accessToken } }`,
      })
    ).json()) as { data: { login: { accessToken: string } } };
    await tab.page.getByRole('link', { name: 'Sessions' }).click();
    await tab.page.getByText('This device').waitFor();
    const ended = await server.post(
      { query: 'mutation { logoutAll(keepCurrent: false) }' },
      { authorization: `Bearer ${phone.data.login.accessToken}` },
    );
    expect(ended.status).toBe(200);

    // His next request on the sessions page finds his session revoked: he is signed out there.
    tab.expectStatuses(401);
    await tab.page
      .getByRole('button', { name: /^End session on/ })
      .first()
      .click();
    await tab.page.getByRole('heading', { name: 'Log in' }).waitFor();
    await tab.page.getByText('You were signed out').waitFor();

    // Someone else logs in on this screen: their profile, not the page Liam was on.
    await server.createUser('mia@example.com');
    await tab.page.getByLabel('Email').fill('mia@example.com');
    await tab.page.getByLabel('Password').fill(TEST_PASSWORD);
    await tab.page.getByRole('button', { name: 'Log in' }).click();
    await expectProfileOf(tab.page, 'mia@example.com');
    expect(new URL(tab.page.url()).pathname).toBe('/profile');
    expectNoPageProblems();
  });

  it('13. a logout the server could not do (expired token, refresh answered 503) says so and stays signed in', async () => {
    const tab = await newTab(await newDevice());
    await signUp(tab.page, 'nora@example.com');
    // The access token lapsed while the tab sat idle, and the refresh that would renew it fails.
    server.clock.advance(server.config.jwt.accessTokenTtlSeconds + 60);
    tab.expectStatuses(401, 503);
    await tab.page.route('**/graphql', (route) =>
      route.request().postData()?.includes('TollgateRefresh')
        ? route.fulfill({ status: 503, contentType: 'text/plain', body: 'Service Unavailable' })
        : route.continue(),
    );
    await tab.page.getByRole('button', { name: 'Log out', exact: true }).click();
    await tab.page
      .getByRole('alert')
      .getByText(/^We could not log you out, so you are still signed in\. The service is temporarily unavailable/)
      .waitFor();
    await expectProfileOf(tab.page, 'nora@example.com');

    // Once the service is back, the same button logs out for real: a reload stays signed out.
    await tab.page.unroute('**/graphql');
    await tab.page.getByRole('button', { name: 'Log out', exact: true }).click();
    await tab.page.getByRole('heading', { name: 'Log in' }).waitFor();
    await tab.page.reload();
    await tab.page.getByRole('heading', { name: 'Log in' }).waitFor();
    expect(await tab.page.getByText('nora@example.com').count()).toBe(0);
    expectNoPageProblems();
  });
});
