import { Secret, TOTP } from 'otpauth';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { SmtpInbox, type ReceivedMail } from '../helpers/smtp-inbox';
import { startTestServer, TEST_PASSWORD, type TestServer } from '../helpers/test-server';
import { markEmailVerified } from '../helpers/verified-email';
import { CHROMIUM_ARGS, describeInChromium } from './helpers/chromium';
import { startForwarder, type Forwarder } from './helpers/forwarder';
import { recordGraphQLTraffic } from './helpers/graphql-traffic';
import { openWatchedPage, screenshot, type WatchedPage } from './helpers/watched-page';
import { serveWebApp, type ServedWebApp } from './helpers/web-app';

/*
 * The account pages of the web app in real Chromium against the real API, with real mail:
 * the API sends over SMTP to an inbox in this process (test/helpers/smtp-inbox.ts), and each
 * scenario opens the link it finds in the message, as a person would. PUBLIC_URL is the
 * page's origin, so the links point at the app under test; the API must know it before it
 * starts, and `vite preview` (which gives it) needs the API's address first: a forwarder
 * stands at that address and is pointed at the API once it runs.
 *
 * Time is the API's injected clock: TOTP codes are computed from the secret the page shows,
 * at the server's time; the step-up scenarios move that clock past the 10-minute window.
 * Every scenario ends with a screenshot in test/e2e/artifacts/ and no console error.
 */

const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1100, height: 800 };
const NEW_PASSWORD = 'a brand new passphrase';

describeInChromium('account pages in Chromium, with mail', (executablePath) => {
  jest.setTimeout(120_000);

  let inbox: SmtpInbox;
  let forwarder: Forwarder;
  let web: ServedWebApp;
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let watched: WatchedPage[] = [];

  beforeAll(async () => {
    inbox = await SmtpInbox.start();
    forwarder = await startForwarder();
    web = await serveWebApp(`http://127.0.0.1:${forwarder.port}`);
    server = await startTestServer('sqlite', {
      env: {
        SMTP_URL: inbox.url,
        MAIL_FROM: 'Tollgate <no-reply@tollgate.test>',
        PUBLIC_URL: web.origin,
        SIGNUP_MAX_PER_IP: '100',
      },
    });
    forwarder.target = Number(new URL(server.url).port);
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await web?.close();
    await forwarder?.close();
    await inbox?.close();
  });

  afterEach(async () => {
    const slug = (expect.getState().currentTestName ?? 'scenario')
      .replace(/^.*?(\d+)\. /, 'accounts-$1-')
      .replace(/[^a-z0-9-]+/gi, '-')
      .slice(0, 60)
      .replace(/-+$/, '');
    for (const [index, tab] of watched.entries()) {
      if (!tab.page.isClosed()) await screenshot(tab.page, `${slug}-tab${index + 1}`).catch(() => undefined);
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

  function expectNoPageProblems(): void {
    expect(watched.flatMap((tab) => tab.problems)).toEqual([]);
  }

  /** The link to `page` in a message: on the app's origin, with its token in the fragment. */
  function linkIn(mail: ReceivedMail, page: 'verify-email' | 'reset-password'): string {
    const link = new RegExp(`https?://[^\\s"<>]+/${page}#token=[A-Za-z0-9_-]+`).exec(mail.text)?.[0];
    if (!link) throw new Error(`No ${page} link in "${mail.subject}"`);
    expect(new URL(link).origin).toBe(web.origin);
    return link;
  }

  async function logIn(page: Page, email: string, password = TEST_PASSWORD): Promise<void> {
    await page.goto('/login');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
  }

  async function expectProfileOf(page: Page, email: string): Promise<void> {
    await page.getByRole('heading', { name: 'Your profile' }).waitFor();
    await page.getByTestId('profile-email').getByText(email, { exact: true }).waitFor();
  }

  async function logOut(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Log out', exact: true }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
  }

  /** Pixels the page scrolls sideways, past one: Chromium rounds a fractional layout width up by one now and then. */
  async function horizontalOverflow(page: Page): Promise<number> {
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    return overflow <= 1 ? 0 : overflow;
  }

  /** What an authenticator app holding `secret` shows at the API's current time. */
  function totpCode(secret: string): string {
    const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
    return totp.generate({ timestamp: server.clock.now() });
  }

  /**
   * Signs in, turns two-factor on from the Two-factor page (QR code, key, first code) and
   * answers with the key read off the page and the ten recovery codes shown once.
   */
  async function enrolTotp(page: Page): Promise<{ secret: string; codes: string[] }> {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Two-factor' }).click();
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    await page.getByTestId('two-factor-status').getByText('Logging in needs only your password.').waitFor();
    await page.getByRole('button', { name: 'Set up two-factor' }).click();
    // The password again, checked by the call itself: a session taken over cannot enrol its own app.
    const confirm = page.getByRole('region', { name: 'Set up two-factor' });
    await confirm.getByLabel('Current password').fill('not the password');
    await confirm.getByRole('button', { name: 'Continue' }).click();
    await confirm.getByText('The password is incorrect.').waitFor();
    expect(await confirm.getByLabel('Current password').getAttribute('aria-invalid')).toBe('true');
    await confirm.getByLabel('Current password').fill(TEST_PASSWORD);
    await confirm.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();

    // The server's SVG, drawn as an image from a data: URL (never inserted as markup).
    const qr = page.getByRole('img', { name: /QR code for your authenticator app/ });
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;charset=utf-8,%3C/);
    // Loaded and decoded: the data URL is a valid image, not a broken-image icon.
    expect(await qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    const secret = (await page.getByTestId('totp-secret').textContent())!.replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await horizontalOverflow(page)).toBe(0);
    await screenshot(page, 'accounts-totp-setup');

    await page.getByLabel('Code from the app').fill(totpCode(secret));
    await page.getByRole('button', { name: 'Turn on two-factor' }).click();
    const list = page.getByRole('list', { name: 'Recovery codes' });
    await list.waitFor();
    const codes = (await list.getByRole('listitem').allTextContents()).map((code) => code.trim());
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    expect(await page.getByRole('link', { name: 'Download the codes' }).getAttribute('download')).toBe(
      'tollgate-recovery-codes.txt',
    );
    expect(await horizontalOverflow(page)).toBe(0);
    await screenshot(page, 'accounts-recovery-codes');
    await page.getByRole('button', { name: 'I saved them' }).click();
    await page.getByTestId('two-factor-status').getByText('10 recovery codes left.').waitFor();
    return { secret, codes };
  }

  it('1. resets a forgotten password by mail on a 360 px screen, then logs in with the new one', async () => {
    const email = 'reset-by-mail@example.com';
    await server.createUser(email);
    const { page } = await newTab(PHONE);

    await page.goto('/login');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByRole('status').getByText(`If ${email} belongs to an account, we sent a link to it.`).waitFor();
    expect(await horizontalOverflow(page)).toBe(0);

    const link = linkIn(await inbox.waitFor(email, /^Reset your password$/), 'reset-password');
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    // The token left the address bar as soon as the page read it.
    expect(page.url()).toBe(`${web.origin}/reset-password`);

    // The rules light up as they are met.
    const rules = page.getByRole('list', { name: 'Password rules' });
    await page.getByLabel('New password', { exact: true }).fill('short');
    await rules.getByText('At least 8 characters (not met yet)').waitFor();
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await rules.getByText('At least 8 characters (met)').waitFor();
    await page.getByLabel('New password, again').fill(NEW_PASSWORD);
    expect(await horizontalOverflow(page)).toBe(0);
    await screenshot(page, 'accounts-reset-password');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByText('Your password was changed, and you were signed out everywhere.').waitFor();
    await inbox.waitFor(email, /^Your password was reset$/);

    // The link worked once. (From another page: from this one, only the fragment would change.)
    await page.goto('/login');
    await page.goto(link);
    await page.getByLabel('New password', { exact: true }).fill('another new passphrase');
    await page.getByLabel('New password, again').fill('another new passphrase');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('alert').getByText('This link is invalid or has expired. Please ask for a new one.').waitFor();
    await page.getByRole('link', { name: 'Ask for a new link' }).waitFor();

    // The old password is gone; the new one works.
    await logIn(page, email);
    await page
      .getByRole('alert')
      .getByText('That email and password do not match an account (or the account is disabled).')
      .waitFor();
    await logIn(page, email, NEW_PASSWORD);
    await expectProfileOf(page, email);
    expectNoPageProblems();
  });

  it('2. confirms the email address from the link in the sign-up message, after asking for a new one', async () => {
    const email = 'verify-by-mail@example.com';
    const { page } = await newTab();
    await page.goto('/signup');
    await page.getByLabel('Name').fill('Vera');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expectProfileOf(page, email);
    const status = page.getByTestId('email-status');
    await status.getByText('Not confirmed').waitFor();
    const first = await inbox.waitFor(email, /^Confirm your email address$/);

    // A new link from the profile: the same answer the server gives for any address.
    await status.getByRole('button', { name: 'Send a new link' }).click();
    await status.getByRole('status').getByText(`If ${email} belongs to an account that is not confirmed yet`).waitFor();
    const second = await inbox.waitFor(email, /^Confirm your email address$/, 2);
    expect(linkIn(second, 'verify-email')).not.toBe(linkIn(first, 'verify-email'));

    await page.goto(linkIn(second, 'verify-email'));
    await page.getByRole('status').getByText('Your email address is confirmed.').waitFor();
    expect(page.url()).toBe(`${web.origin}/verify-email`);
    await page.getByRole('link', { name: 'Go to your profile' }).click();
    await status.getByText('Your email address is confirmed.').waitFor();
    expect(await status.getByRole('button', { name: 'Send a new link' }).count()).toBe(0);

    // A made-up link gets the one sentence for every bad link, and a form for a new one.
    await page.goto('/verify-email#token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    await page.getByRole('alert').getByText('This link is invalid or has expired. Please ask for a new one.').waitFor();
    await page.getByRole('heading', { name: 'Get a new link' }).waitFor();
    expectNoPageProblems();
  });

  it('3. turns two-factor on, then logs in with a code computed from the key on the page, and with a recovery code', async () => {
    const email = 'totp-person@example.com';
    // An authenticator app is set up only on a verified address (a squatter's would lock the owner out).
    await markEmailVerified(server, (await server.createUser(email)).id);
    const { page } = await newTab(PHONE);
    const traffic = recordGraphQLTraffic(page);
    await logIn(page, email);
    await expectProfileOf(page, email);
    const { secret, codes } = await enrolTotp(page);
    await logOut(page);

    // The password alone is no longer a login: the second step asks for a code.
    await logIn(page, email);
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    await screenshot(page, 'accounts-login-second-step');
    // A wrong code is refused and marked on its input.
    const codeInput = page.getByLabel('Authentication code');
    await codeInput.fill(totpCode(secret) === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('That code is not right.', { exact: false }).waitFor();
    expect(await codeInput.getAttribute('aria-invalid')).toBe('true');
    // The code that turned two-factor on was spent: the app's next one, 30 s later.
    server.clock.advance(30);
    await codeInput.fill(totpCode(secret));
    await page.getByRole('button', { name: 'Continue' }).click();
    await expectProfileOf(page, email);
    await logOut(page);

    // Lost the phone: a recovery code instead, once.
    await logIn(page, email);
    await page.getByLabel('Authentication code').fill(codes[0]!.toLowerCase());
    await page.getByRole('button', { name: 'Continue' }).click();
    await expectProfileOf(page, email);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Two-factor' }).click();
    await page.getByTestId('two-factor-status').getByText('9 recovery codes left.').waitFor();
    await logOut(page);
    await logIn(page, email);
    await page.getByLabel('Authentication code').fill(codes[0]!);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('That code is not right.', { exact: false }).waitFor();

    await traffic.settled();
    const verified = traffic.exchanges.filter((e) => /verifyMfa/i.test(e.operationName ?? ''));
    expect(verified.map((e) => e.reasons)).toEqual([['INVALID_MFA_CODE'], [], [], ['INVALID_MFA_CODE']]);
    expectNoPageProblems();
  });

  it('4. asks for the password again before changing it when the sign-in is older than 10 minutes', async () => {
    const email = 'step-up-person@example.com';
    await server.createUser(email);
    const { page } = await newTab(PHONE);
    const traffic = recordGraphQLTraffic(page);
    await logIn(page, email);
    await expectProfileOf(page, email);
    server.clock.advance(11 * 60);

    const changePassword = page.getByRole('region', { name: 'Change password' });
    async function submitChange(): Promise<void> {
      await changePassword.getByLabel('Current password').fill(TEST_PASSWORD);
      await changePassword.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await changePassword.getByLabel('New password, again').fill(NEW_PASSWORD);
      await changePassword.getByRole('button', { name: 'Change password' }).click();
    }

    // The dialog opens with focus on its password; Escape closes it and nothing changes.
    await submitChange();
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await dialog.waitFor();
    expect(await dialog.getByLabel('Password', { exact: true }).evaluate(isActiveElement)).toBe(true);
    // No second factor on this account: no code asked for.
    expect(await dialog.getByLabel(/Authentication code/).count()).toBe(0);
    // Focus stays in the dialog: Tab from its last control does not reach the page behind.
    for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
    expect(await dialog.evaluate(containsActiveElement)).toBe(true);
    expect(await horizontalOverflow(page)).toBe(0);
    await screenshot(page, 'accounts-step-up-dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await changePassword
      .getByRole('alert')
      .getByText('Nothing was changed, because your password was not confirmed.')
      .waitFor();

    // A wrong password is marked in the dialog; the right one renews the sign-in and the change goes through once.
    await submitChange();
    await dialog.getByLabel('Password', { exact: true }).fill('not the password');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog.getByText('The password is incorrect.').waitFor();
    await dialog.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog.waitFor({ state: 'detached' });
    await changePassword.getByText('Your password was changed, and your other sessions were ended.').waitFor();

    await traffic.settled();
    const changes = traffic.exchanges.filter((e) => e.operationName === 'ChangeMyPassword');
    expect(changes.map((e) => e.reasons)).toEqual([['STEP_UP_REQUIRED'], ['STEP_UP_REQUIRED'], []]);
    const steps = traffic.exchanges.filter((e) => e.operationName === 'TollgateReauthenticate');
    expect(steps.map((e) => e.reasons)).toEqual([['BAD_USER_INPUT'], []]);
    await logOut(page);
    await logIn(page, email, NEW_PASSWORD);
    await expectProfileOf(page, email);
    expectNoPageProblems();
  });

  it('5. with two-factor on, new recovery codes and turning it off ask the password and a code in the form, however old the sign-in', async () => {
    const email = 'step-up-totp@example.com';
    // An authenticator app is set up only on a verified address (a squatter's would lock the owner out).
    await markEmailVerified(server, (await server.createUser(email)).id);
    const { page } = await newTab();
    const traffic = recordGraphQLTraffic(page);
    await logIn(page, email);
    await expectProfileOf(page, email);
    const { secret, codes } = await enrolTotp(page);
    server.clock.advance(11 * 60);

    // Adding a passkey asks for a code too now: a wrong one is refused before any passkey is made.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Passkeys' }).click();
    const addPasskey = page.locator('form[name="add-passkey"]');
    await addPasskey.getByLabel('Current password').fill(TEST_PASSWORD);
    await addPasskey.getByLabel('Authentication code').fill(totpCode(secret) === '000000' ? '000001' : '000000');
    await addPasskey.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByRole('alert').getByText('That code is not right.', { exact: false }).waitFor();
    await page.getByText('You have no passkeys yet.').waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Two-factor' }).click();
    await page.getByTestId('two-factor-status').getByText('10 recovery codes left.').waitFor();

    await page.getByRole('button', { name: 'Make new recovery codes' }).click();
    // No step-up dialog: the form asks for the password and a code, which the call itself checks.
    const regenerate = page.getByRole('region', { name: 'Make new recovery codes' });
    await regenerate.getByLabel('Current password').fill(TEST_PASSWORD);
    // The code is required here: the form says so before asking the server.
    await regenerate.getByRole('button', { name: 'Make new codes' }).click();
    await regenerate.getByText('Enter the code from your authenticator app, or a recovery code.').waitFor();
    await regenerate.getByLabel('Authentication code').fill(totpCode(secret));
    await regenerate.getByRole('button', { name: 'Make new codes' }).click();
    await page.getByRole('list', { name: 'Recovery codes' }).waitFor();
    const fresh = (
      await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allTextContents()
    ).map((code) => code.trim());
    expect(fresh).toHaveLength(10);
    expect(fresh.filter((code) => codes.includes(code))).toEqual([]);
    await page.getByRole('button', { name: 'I saved them' }).click();
    await page.getByRole('status').getByText('You have new recovery codes; the old ones no longer work.').waitFor();
    await page.getByTestId('two-factor-status').getByText('10 recovery codes left.').waitFor();

    // Turning it off asks again; the code just used is spent, so a recovery code (one of the new ones) stands in.
    await page.getByRole('button', { name: 'Turn off two-factor' }).click();
    const turnOff = page.getByRole('region', { name: 'Turn off two-factor' });
    await turnOff.getByLabel('Current password').fill(TEST_PASSWORD);
    await turnOff.getByLabel('Authentication code').fill(totpCode(secret));
    await turnOff.getByRole('button', { name: 'Turn off' }).click();
    await turnOff.getByText('That code is not right.', { exact: false }).waitFor();
    await turnOff.getByLabel('Authentication code').fill(fresh[0]!);
    await turnOff.getByRole('button', { name: 'Turn off' }).click();
    await page.getByRole('status').getByText('Two-factor authentication is off.').waitFor();
    await page.getByTestId('two-factor-status').getByText('Logging in needs only your password.').waitFor();
    expect(await page.getByRole('dialog').count()).toBe(0);

    await traffic.settled();
    const regenerations = traffic.exchanges.filter((e) => e.operationName === 'RegenerateMyRecoveryCodes');
    expect(regenerations.map((e) => e.reasons)).toEqual([[]]);
    const disables = traffic.exchanges.filter((e) => e.operationName === 'DisableMyTotp');
    expect(disables.map((e) => e.reasons)).toEqual([['INVALID_MFA_CODE'], []]);
    expect(traffic.exchanges.filter((e) => e.operationName === 'TollgateReauthenticate')).toEqual([]);

    await logOut(page);
    await logIn(page, email);
    await expectProfileOf(page, email);
    expectNoPageProblems();
  });

  it('6. changes the email address from the profile: nothing changes until the link sent to the new one is followed', async () => {
    const email = 'moving-person@example.com';
    const newEmail = 'moved-person@example.com';
    const user = await server.createUser(email);
    // The notice to the current address goes only to a proven one (a stranger's unproven address
    // must not receive mail it did not ask for).
    await server.app.services.database.db
      .updateTable('users')
      .set({ email_verified_at: server.clock.now() })
      .where('id', '=', user.id)
      .execute();
    const { page } = await newTab();
    await logIn(page, email);
    await expectProfileOf(page, email);

    const changeEmail = page.getByRole('region', { name: 'Change email address' });
    await changeEmail.getByLabel('New email address').fill(newEmail);
    await changeEmail.getByLabel('Your password').fill('not the password');
    await changeEmail.getByRole('button', { name: 'Send the link' }).click();
    // Refused, and marked on the password input (the server names it in `field`).
    await changeEmail.locator('input[name="currentPassword"][aria-invalid="true"]').waitFor();
    await changeEmail.getByLabel('Your password').fill(TEST_PASSWORD);
    await changeEmail.getByRole('button', { name: 'Send the link' }).click();
    await changeEmail.getByRole('status').getByText(`We sent a link to ${newEmail}.`).waitFor();
    await inbox.waitFor(email, /^A change of your email address was requested$/);
    const link = linkIn(await inbox.waitFor(newEmail, /^Confirm your new email address$/), 'verify-email');
    // Not yet.
    await page.reload();
    await expectProfileOf(page, email);

    await page.goto(link);
    await page.getByRole('status').getByText('Your email address is confirmed.').waitFor();
    await page.getByRole('link', { name: 'Go to your profile' }).click();
    await expectProfileOf(page, newEmail);
    await page.getByTestId('email-status').getByText('Your email address is confirmed.').waitFor();
    expectNoPageProblems();
  });
});

// Run in the page; typed structurally, since the test's own tsconfig has no DOM library.
function isActiveElement(element: { ownerDocument: { activeElement: unknown } }): boolean {
  return element === element.ownerDocument.activeElement;
}

function containsActiveElement(element: {
  contains(other: unknown): boolean;
  ownerDocument: { activeElement: unknown };
}): boolean {
  return element.contains(element.ownerDocument.activeElement);
}
