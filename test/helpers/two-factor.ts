import { Secret, TOTP } from 'otpauth';
import { ConfirmTotpEnrollmentDocument, StartTotpEnrollmentDocument } from '../generated/graphql';
import { TEST_PASSWORD, type TestServer } from './test-server';
import { markEmailVerified } from './verified-email';

/** The code an authenticator app shows for `secret` at `nowMs`, `stepOffset` steps of 30 s away. */
export function totpCode(secret: string, nowMs: number, stepOffset = 0): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
  return totp.generate({ timestamp: nowMs + stepOffset * 30_000 });
}

/** A 6-digit code that is none of the window's three around `nowMs` (a wrong guess). */
export function wrongTotpCode(secret: string, nowMs: number): string {
  return wrongTotpCodes(secret, nowMs, 1)[0]!;
}

/** `count` distinct wrong guesses at `nowMs`. */
export function wrongTotpCodes(secret: string, nowMs: number, count: number): string[] {
  const valid = new Set([-1, 0, 1].map((offset) => totpCode(secret, nowMs, offset)));
  const codes: string[] = [];
  for (let n = 0; codes.length < count; n++) {
    const candidate = String(n).padStart(6, '0');
    if (!valid.has(candidate)) codes.push(candidate);
  }
  return codes;
}

export interface Enrolled {
  readonly secret: string;
  readonly recoveryCodes: readonly string[];
}

/**
 * Turns TOTP on for the holder of `token` through the API, their address marked verified
 * first (enrolment waits for it); the clock moves past the step the confirming code used.
 */
export async function enrolTotp(server: TestServer, token: string): Promise<Enrolled> {
  await markEmailVerified(server, String(claimsOf(token).sub));
  const started = await server.execute(StartTotpEnrollmentDocument, { currentPassword: TEST_PASSWORD }, { token });
  if (!started.data) throw new Error(`startTotpEnrollment failed: ${JSON.stringify(started.errors)}`);
  const { secret } = started.data.startTotpEnrollment;
  const confirmed = await server.execute(
    ConfirmTotpEnrollmentDocument,
    { code: totpCode(secret, server.clock.now()) },
    { token },
  );
  if (!confirmed.data) throw new Error(`confirmTotpEnrollment failed: ${JSON.stringify(confirmed.errors)}`);
  // The confirming code's step is spent: the next code a test computes must come from a later step.
  server.clock.advance(30);
  return { secret, recoveryCodes: confirmed.data.confirmTotpEnrollment.codes };
}

/** The claims of a JWT, unverified: for asserting what the server signed. */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}
