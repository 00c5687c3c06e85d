import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestServer, TEST_PASSWORD, type TestServer } from '../helpers/test-server';
import { markEmailVerified } from '../helpers/verified-email';
import { CHROMIUM_ARGS, describeInChromium } from './helpers/chromium';
import { startForwarder, type Forwarder } from './helpers/forwarder';
import { recordGraphQLTraffic } from './helpers/graphql-traffic';
import { openWatchedPage, screenshot, type WatchedPage } from './helpers/watched-page';
import { serveWebApp, type ServedWebApp } from './helpers/web-app';

/*
 * Passkeys in real Chromium, with the DevTools protocol's virtual authenticator (a CTAP2
 * platform authenticator that holds discoverable credentials and verifies its user): add a
 * passkey while signed in (once the address is verified, with the password), log out, sign in with it (no email typed), remove it, and see it
 * no longer signs anyone in.
 *
 * The API must know the page's origin (WEBAUTHN_ORIGINS) before it starts, and the page's
 * origin is known once `vite preview` listens, which needs the API's address: a forwarder of
 * the test's own stands at that address and is pointed at the API once it runs.
 *
 * RECORD_WEBAUTHN_FIXTURE=1 rewrites test/fixtures/webauthn/chromium-ceremony.json: the
 * options and the browser's answers of one registration and one login, which
 * test/integration/passkeys-recorded.test.ts verifies directly (then `npx prettier --write` it).
 */

const FIXTURE = path.resolve(__dirname, '../fixtures/webauthn/chromium-ceremony.json');

describeInChromium('passkeys in Chromium (virtual authenticator)', (executablePath) => {
  jest.setTimeout(120_000);

  let forwarder: Forwarder;
  let web: ServedWebApp;
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let tab: WatchedPage;

  beforeAll(async () => {
    forwarder = await startForwarder();
    web = await serveWebApp(`http://127.0.0.1:${forwarder.port}`);
    server = await startTestServer('sqlite', {
      env: { WEBAUTHN_RP_ID: 'localhost', WEBAUTHN_ORIGINS: web.origin, WEBAUTHN_RP_NAME: 'Tollgate test' },
    });
    forwarder.target = Number(new URL(server.url).port);
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: { width: 1100, height: 800 }, baseURL: web.origin });
    tab = await openWatchedPage(context);
  }, 240_000);

  afterAll(async () => {
    if (tab && !tab.page.isClosed()) await screenshot(tab.page, 'passkeys-end').catch(() => undefined);
    await context?.close();
    await browser?.close();
    await server?.close();
    await web?.close();
    await forwarder?.close();
  });

  it('adds a passkey, signs in with it after logging out, and removes it', async () => {
    const { page } = tab;
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
      },
    });
    const ceremonies = recordCeremonies(page);
    const traffic = recordGraphQLTraffic(page);

    const email = 'passkey-person@example.com';
    const user = await server.createUser(email);
    await page.goto('/login');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await expectProfileOf(page, email);

    // Add one, by name, from the navigation's Passkeys page.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Passkeys' }).click();
    await page.getByRole('heading', { name: 'Your passkeys' }).waitFor();
    await page.getByText('You have no passkeys yet.').waitFor();
    // Not while the address is unverified: a squatter's passkey would outlive the owner's recovery.
    await page.getByLabel('Name (optional)').fill('Test laptop');
    await page.getByLabel('Current password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByRole('alert').getByText('Confirm your email address with the link we sent first.').waitFor();
    await markEmailVerified(server, user.id);
    // The password is asked in the call itself, whatever the sign-in's age; a wrong one adds nothing.
    server.clock.advance(11 * 60);
    await page.getByLabel('Current password').fill('not the password');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByRole('alert').getByText('The password is incorrect.').waitFor();
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials).toHaveLength(0);
    await page.getByLabel('Current password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('Your passkey was added. You can now log in with it.').waitFor();
    expect(await page.getByLabel('Current password').inputValue()).toBe('');
    expect(await page.getByRole('heading', { name: 'Confirm it’s you' }).count()).toBe(0);
    const list = page.getByRole('list', { name: 'Passkeys' });
    await list.getByText('Test laptop', { exact: true }).waitFor();
    await list.getByText(/Passkey on one device · added .* · never used/).waitFor();
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.isResidentCredential).toBe(true);
    expect(credentials[0]!.rpId).toBe('localhost');

    // Log out, then in with the passkey: no email, no password.
    await page.getByRole('button', { name: 'Log out', exact: true }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expectProfileOf(page, email);
    const after = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(after.credentials[0]!.signCount).toBeGreaterThan(0);

    // Rename it, then remove it.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Passkeys' }).click();
    await list.getByText(/last used/).waitFor();
    await page.getByRole('button', { name: 'Rename passkey Test laptop' }).click();
    await page.getByLabel('New name for Test laptop').fill('Work laptop');
    await page.getByRole('button', { name: 'Save name' }).click();
    await list.getByText('Work laptop', { exact: true }).waitFor();
    await screenshot(page, 'passkeys-list');
    // Removing needs a sign-in of the last 10 minutes: past that, the page asks for the password first.
    server.clock.advance(11 * 60);
    await page.getByRole('button', { name: 'Remove passkey Work laptop' }).click();
    await page.getByRole('heading', { name: 'Confirm it’s you' }).waitFor();
    await screenshot(page, 'passkeys-step-up');
    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('The passkey “Work laptop” was removed.').waitFor();
    await page.getByText('You have no passkeys yet.').waitFor();

    // The authenticator still holds the credential; the server no longer accepts it.
    await page.getByRole('button', { name: 'Log out', exact: true }).click();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page
      .getByRole('alert')
      .getByText('That passkey could not be verified. Please try again, or log in with your password.')
      .waitFor();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();

    await traffic.settled();
    const starts = traffic.exchanges.filter((e) => e.operationName === 'StartMyPasskeyRegistration');
    expect(starts.map((e) => e.reasons)).toEqual([['EMAIL_NOT_VERIFIED'], ['BAD_USER_INPUT'], []]);
    const removals = traffic.exchanges.filter((e) => e.operationName === 'RemoveMyPasskey');
    expect(removals.map((e) => e.reasons)).toEqual([['STEP_UP_REQUIRED'], []]);
    const logins = traffic.exchanges.filter((e) => e.operationName === 'FinishMyPasskeyLogin');
    expect(logins.map((e) => e.reasons)).toEqual([[], ['PASSKEY_INVALID']]);
    // The session came through the refresh cookie: one refresh right after the passkey login.
    const names = traffic.exchanges.map((e) => e.operationName);
    expect(names[names.indexOf('FinishMyPasskeyLogin') + 1]).toMatch(/refresh/i);

    if (process.env.RECORD_WEBAUTHN_FIXTURE === '1') {
      writeFileSync(FIXTURE, `${JSON.stringify({ origin: web.origin, rpId: 'localhost', ...ceremonies }, null, 2)}\n`);
    }
    expect(tab.problems).toEqual([]);
  });

  async function expectProfileOf(page: Page, email: string): Promise<void> {
    await page.getByRole('heading', { name: 'Your profile' }).waitFor();
    await page.getByTestId('profile-email').getByText(email, { exact: true }).waitFor();
  }
});

/** The first registration's and login's options and the browser's answers, as the page exchanged them. */
function recordCeremonies(page: Page): Record<string, unknown> {
  const recorded: Record<string, unknown> = {};
  page.on('response', async (response) => {
    const body = response.request().postData();
    if (!body || !new URL(response.url()).pathname.endsWith('/graphql')) return;
    const { operationName, variables } = JSON.parse(body) as {
      operationName?: string;
      variables?: { response?: string };
    };
    try {
      if (operationName === 'StartMyPasskeyRegistration' && !recorded.registrationOptions) {
        const json = (await response.json()) as { data: { startPasskeyRegistration: { options: string } } };
        recorded.registrationOptions = JSON.parse(json.data.startPasskeyRegistration.options);
      } else if (operationName === 'FinishMyPasskeyRegistration' && !recorded.registrationResponse) {
        recorded.registrationResponse = JSON.parse(variables!.response!);
      } else if (operationName === 'StartMyPasskeyLogin' && !recorded.authenticationOptions) {
        const json = (await response.json()) as { data: { startPasskeyLogin: { options: string } } };
        recorded.authenticationOptions = JSON.parse(json.data.startPasskeyLogin.options);
      } else if (operationName === 'FinishMyPasskeyLogin' && !recorded.authenticationResponse) {
        recorded.authenticationResponse = JSON.parse(variables!.response!);
      }
    } catch {
      // The page moved on before the body was read; the recording is only written on request.
    }
  });
  return recorded;
}
