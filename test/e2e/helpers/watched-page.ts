import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

export const ARTIFACTS_DIR = path.resolve(__dirname, '../artifacts');

/**
 * A tab whose uncaught exceptions and console errors are recorded, so every scenario can end
 * by asserting there were none. Chromium also logs a failed HTTP status as a console error
 * ("Failed to load resource: … status of 401"); a scenario that provokes one on purpose
 * (an expired token's 401, a 429) names the statuses it expects and only those are let pass.
 */
export interface WatchedPage {
  readonly page: Page;
  readonly problems: string[];
  /** HTTP statuses this tab may see logged, e.g. 401 on the path where a token expired. */
  expectStatuses(...statuses: number[]): void;
  /** Requests that never got an answer ("net::ERR_CONNECTION_REFUSED"), for a staged outage. */
  expectNetworkFailures(): void;
}

export async function openWatchedPage(context: BrowserContext): Promise<WatchedPage> {
  const page = await context.newPage();
  const problems: string[] = [];
  const expected = new Set<number>();
  let networkFailuresExpected = false;
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const status = /status of (\d{3})/.exec(message.text())?.[1];
    if (status && expected.has(Number(status))) return;
    if (networkFailuresExpected && /net::ERR_/.test(message.text())) return;
    const { url } = message.location();
    problems.push(`console.error: ${message.text()}${url ? ` (${url})` : ''}`);
  });
  return {
    page,
    problems,
    expectStatuses: (...statuses) => statuses.forEach((s) => expected.add(s)),
    expectNetworkFailures: () => (networkFailuresExpected = true),
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
