import { randomBytes } from 'node:crypto';
import { URI, type TOTP } from 'otpauth';
import { scrubString, scrubValue } from '../../src/observability/log-redaction';
import { mfaChallengeHash, newMfaChallenge } from '../../src/modules/two-factor/mfa-challenge-token';
import {
  generateRecoveryCodes,
  hashRecoveryCode,
  normalizeRecoveryCode,
} from '../../src/modules/two-factor/recovery-codes';
import { describeTotp, matchTotpStep, newTotpSecret, normalizeTotpCode } from '../../src/modules/two-factor/totp';
import { TotpSecretBox } from '../../src/modules/two-factor/totp-secret-box';

describe('TOTP secrets at rest', () => {
  const box = new TotpSecretBox(randomBytes(32));

  it('open() gives back what seal() sealed, and no two seals look alike', () => {
    const secret = newTotpSecret();
    const a = box.seal('user-1', secret);
    expect(box.open('user-1', a).equals(secret)).toBe(true);
    expect(box.seal('user-1', secret)).not.toBe(a);
    expect(Buffer.from(a, 'base64url').includes(secret)).toBe(false);
  });

  it('refuses a sealed secret moved to another user, altered, truncated or sealed under another key', () => {
    const sealed = box.seal('user-1', newTotpSecret());
    const flipped = Buffer.from(sealed, 'base64url');
    flipped[20]! ^= 1;
    expect(() => box.open('user-2', sealed)).toThrow();
    expect(() => box.open('user-1', flipped.toString('base64url'))).toThrow();
    expect(() => box.open('user-1', sealed.slice(0, 30))).toThrow();
    expect(() => new TotpSecretBox(randomBytes(32)).open('user-1', sealed)).toThrow();
    expect(() => new TotpSecretBox(randomBytes(16))).toThrow(TypeError);
  });
});

describe('TOTP codes (RFC 6238: SHA-1, 6 digits, 30 s, one step either side)', () => {
  const secret = newTotpSecret();
  const { base32, uri } = describeTotp(secret, 'Tollgate', 'ada@example.com');
  const app = URI.parse(uri) as TOTP;
  const t = 1_800_000_000_000 - (1_800_000_000_000 % 30_000);

  it('describes the secret as authenticator apps read it', () => {
    expect(app.secret.base32).toBe(base32);
    expect([app.algorithm, app.digits, app.period, app.issuer, app.label]).toEqual([
      'SHA1',
      6,
      30,
      'Tollgate',
      'ada@example.com',
    ]);
  });

  it('matches the step of a code within one step, and nothing further', () => {
    const step = t / 30_000;
    expect(matchTotpStep(secret, app.generate({ timestamp: t }), t)).toBe(step);
    expect(matchTotpStep(secret, app.generate({ timestamp: t - 30_000 }), t)).toBe(step - 1);
    expect(matchTotpStep(secret, app.generate({ timestamp: t + 30_000 }), t + 29_999)).toBe(step + 1);
    const far = app.generate({ timestamp: t - 60_000 });
    if (![-1, 0, 1].some((o) => app.generate({ timestamp: t + o * 30_000 }) === far)) {
      expect(matchTotpStep(secret, far, t)).toBeNull();
    }
  });

  it('does no work for input that cannot be a code', () => {
    expect(normalizeTotpCode(' 123 456 ')).toBe('123456');
    for (const bad of ['', '12345', '1234567', '12345a', '١٢٣٤٥٦', '123-456'])
      expect(normalizeTotpCode(bad)).toBeNull();
  });
});

describe('recovery codes', () => {
  it('are ten distinct codes of 50 random bits, in a form that reads back one way', () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) {
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
      expect(normalizeRecoveryCode(code)).toBe(code.replace('-', ''));
    }
  });

  it('accept what people type: case, spaces, dashes, O for 0 and I or L for 1', () => {
    expect(normalizeRecoveryCode(' abcde fgh0o ')).toBe('ABCDEFGH00');
    expect(normalizeRecoveryCode('1il1I-L1iL1')).toBe('1111111111');
    for (const bad of ['', 'ABCDE', 'ABCDE-FGHJKM', 'ABCDE-FGHJU', 'x'.repeat(100)]) {
      expect(normalizeRecoveryCode(bad)).toBeNull();
    }
  });

  it('hash under a key and per user: the same code of two users, or under two keys, hashes apart', () => {
    const key = randomBytes(32);
    expect(hashRecoveryCode(key, 'u1', 'ABCDEFGHJK')).toBe(hashRecoveryCode(key, 'u1', 'ABCDEFGHJK'));
    expect(hashRecoveryCode(key, 'u1', 'ABCDEFGHJK')).not.toBe(hashRecoveryCode(key, 'u2', 'ABCDEFGHJK'));
    expect(hashRecoveryCode(key, 'u1', 'ABCDEFGHJK')).not.toBe(hashRecoveryCode(randomBytes(32), 'u1', 'ABCDEFGHJK'));
  });
});

describe('MFA challenges', () => {
  it('are opaque 256-bit values, nothing like a JWT, stored as their hash', () => {
    const challenge = newMfaChallenge();
    expect(challenge).toMatch(/^mfa_[A-Za-z0-9_-]{43}$/);
    expect(challenge.split('.')).toHaveLength(1);
    expect(mfaChallengeHash(challenge)).toMatch(/^[0-9a-f]{64}$/);
    expect(newMfaChallenge()).not.toBe(challenge);
    for (const bad of ['', 'mfa_', `${challenge}=`, challenge.slice(1), 'eyJhbGciOi.x.y']) {
      expect(mfaChallengeHash(bad)).toBeNull();
    }
  });

  it('never reach the logs: by key, as a document argument, or quoted anywhere', () => {
    const challenge = newMfaChallenge();
    expect(scrubValue({ challenge, recoveryCode: 'ABCDE-FGHJK' })).toEqual({
      challenge: '[redacted]',
      recoveryCode: '[redacted]',
    });
    const document = `mutation { verifyMfa(challenge: "${challenge}", recoveryCode: "ABCDE-FGHJK") { accessToken } }`;
    const scrubbed = scrubString(document);
    expect(scrubbed).not.toContain(challenge);
    expect(scrubbed).not.toContain('ABCDE-FGHJK');
    expect(scrubString(`failed for ${challenge}`)).toBe('failed for [redacted]');
  });
});
