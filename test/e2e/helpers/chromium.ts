import { accessSync, constants } from 'node:fs';

/**
 * Where the browser suites find Chromium: `CHROMIUM_PATH`, else Debian's package (`.ci/run`
 * installs it with apt-get), else the usual names. Nothing here ever downloads a browser.
 */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome-stable'];

export function findChromium(): string | null {
  const configured = process.env.CHROMIUM_PATH;
  for (const candidate of configured ? [configured] : CANDIDATES) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not there or not executable: try the next one.
    }
  }
  return null;
}

/**
 * `describe` when Chromium is installed. Without it the suite is listed as skipped, with a
 * visible message, except under CI=true, where a missing browser fails the run instead.
 */
export function describeInChromium(name: string, suite: (executablePath: string) => void): void {
  const executablePath = findChromium();
  if (executablePath) {
    describe(name, () => suite(executablePath));
    return;
  }
  const where = process.env.CHROMIUM_PATH ?? CANDIDATES.join(', ');
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs Chromium, which CI requires', () => {
        throw new Error(`Chromium is required under CI but none was found at ${where} (apt-get install chromium).`);
      });
    });
    return;
  }
  console.warn(
    `\n⚠ No Chromium at ${where}: the browser suite "${name}" is skipped.\n` +
      `  Install Debian's chromium package (or set CHROMIUM_PATH); it always runs under CI.\n`,
  );
  describe.skip(`${name} (skipped: Chromium is not installed)`, () => {
    it.todo('runs where Chromium is installed');
  });
}

/** Headless, and quiet: no first-run UI, no background traffic, no component downloads. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
