import QRCode from 'qrcode';
import { normalizeMethods, type AuthMethod } from '../../auth/authentication-methods';
import type { ClientInfo } from '../../auth/client-info';
import { PASSWORD_MAX_LENGTH, type PasswordHasher } from '../../auth/passwords';
import type { IssuedAccessToken, Viewer } from '../../auth/tokens';
import {
  EmailNotVerifiedInputError,
  InvalidInputError,
  InvalidTokenError,
  SecondFactorError,
  SecondFactorRequiredError,
} from '../../errors/domain-errors';
import { AuditEventType } from '../audit/audit.model';
import type { AuditLog } from '../audit/audit-log';
import type { AttemptLimiter, AttemptRule, Reservation } from '../credentials/attempt-limiter';
import type { SecondFactorGate } from '../credentials/credentials.service';
import type { IssuedSession, SessionService } from '../session/session.service';
import type { UserRecord } from '../user/user.model';
import type { UserRepository } from '../user/user.repository';
import { mfaChallengeHash, newMfaChallenge } from './mfa-challenge-token';
import { generateRecoveryCodes, hashRecoveryCode, normalizeRecoveryCode } from './recovery-codes';
import { describeTotp, matchTotpStep, newTotpSecret, normalizeTotpCode } from './totp';
import type { TotpSecretBox } from './totp-secret-box';
import type { TwoFactorMail } from './two-factor-mail';
import type { FactorToSpend, TwoFactorRepository } from './two-factor.repository';

/** How long login's challenge waits for its code. */
export const MFA_CHALLENGE_TTL_SECONDS = 300;
/** Wrong codes one challenge takes before it is dead (the per-account limit bounds them across challenges). */
export const MFA_CHALLENGE_MAX_FAILURES = 5;
/** How long a started enrolment waits for its first code. */
export const ENROLLMENT_TTL_SECONDS = 600;
/** The issuer authenticator apps show next to the account. */
const TOTP_ISSUER = 'Tollgate';

/**
 * Wrong second factors per account, over every challenge and reauthenticate: 5 in 15 minutes,
 * then that account's codes are refused until the window ends. A stop, not a pace: whoever
 * gets here knows the password, and a 6-digit code with ±1 step is a 3-in-a-million guess,
 * so the budget must stay small (≈480 guesses a day, 0.14 % a day at most). The owner is
 * stopped too meanwhile; recovery codes share the budget.
 */
export const SECOND_FACTOR_RULE: AttemptRule = {
  name: 'second-factor:user',
  limit: { max: 5, windowSeconds: 900 },
  refusal: 'Too many wrong codes; try again later.',
};
/** Wrong passwords or codes given to reauthenticate, per user: a stolen access token must not become an oracle. */
export const REAUTHENTICATE_RULE: AttemptRule = {
  name: 'reauthenticate:user',
  limit: { max: 5, windowSeconds: 900 },
  refusal: 'Too many failed re-authentications; try again later.',
};

/** A second factor as the caller gives it: exactly one of the two. */
export interface SecondFactorInput {
  readonly code?: string | null;
  readonly recoveryCode?: string | null;
}

export type ProvenFactor = 'totp' | 'recovery_code';

/** What a presented second factor turned out to be. */
type FactorOutcome = ProvenFactor | 'wrong' | 'replayed';

/**
 * The answer to a right code for a step already accepted (a double submit, or a code read
 * over the owner's shoulder): refused, but no guess, so it spends no wrong-code budget.
 */
class ReplayedCodeError extends InvalidInputError {
  constructor() {
    super(
      'code',
      'This code was already used; wait for the next one your authenticator app shows.',
      'INVALID_MFA_CODE',
    );
  }
}

export interface TotpEnrollment {
  /** Base32, for typing into an app by hand. */
  readonly secret: string;
  readonly otpauthUri: string;
  readonly qrCodeSvg: string;
  readonly expiresInSeconds: number;
}

export interface TwoFactorStatus {
  readonly enabled: boolean;
  readonly recoveryCodesLeft: number;
}

export interface TwoFactorServiceDeps {
  readonly repository: TwoFactorRepository;
  readonly users: UserRepository;
  readonly passwords: PasswordHasher;
  readonly sessions: SessionService;
  readonly audit: AuditLog;
  readonly limiter: AttemptLimiter;
  readonly secrets: TotpSecretBox;
  /** Tells the owner of changes to the second factor. */
  readonly mail: TwoFactorMail;
  /** Keys the recovery codes' hashes. */
  readonly recoveryCodeKey: Buffer;
  /** EMAIL_VERIFICATION or PASSWORD_RESET: enrolment waits until the account's address is proven (secondFactorsNeedProvenAddress). */
  readonly emailVerification: boolean;
  readonly now: () => number;
}

/** TOTP second factors and recovery codes: enrolment, login's second step, reauthentication. */
export class TwoFactorService implements SecondFactorGate {
  constructor(private readonly deps: TwoFactorServiceDeps) {}

  /** Login's gate: an enrolled account gets a challenge (thrown) instead of a session. */
  async requireIfEnrolled(user: UserRecord, provenAt: number): Promise<void> {
    if (!(await this.deps.repository.isEnrolled(user.id))) return;
    const challenge = newMfaChallenge();
    await this.deps.repository.createChallenge(mfaChallengeHash(challenge)!, {
      userId: user.id,
      credentialsVersion: user.credentialsVersion,
      passwordAt: provenAt,
      expiresAt: this.deps.now() + MFA_CHALLENGE_TTL_SECONDS * 1000,
    });
    throw new SecondFactorRequiredError(challenge, MFA_CHALLENGE_TTL_SECONDS, ['TOTP', 'RECOVERY_CODE']);
  }

  /**
   * Completes a login: the challenge must be unused, unexpired and not worn out by wrong
   * codes, and the factor right and unused. The session opens with the credentials
   * version the password was checked against, re-checked (with the disabled flag) in the
   * transaction that creates it, after every await here.
   */
  async verifyMfa(presented: string, factor: SecondFactorInput, client: ClientInfo): Promise<IssuedSession> {
    const given = parseFactor(factor);
    const hash = mfaChallengeHash(presented);
    const challenge = hash ? await this.deps.repository.findChallenge(hash) : null;
    const now = this.deps.now();
    if (
      !hash ||
      !challenge ||
      challenge.used ||
      now >= challenge.expiresAt ||
      challenge.failures >= MFA_CHALLENGE_MAX_FAILURES
    ) {
      throw new SecondFactorError('MFA_CHALLENGE_INVALID');
    }
    const { userId } = challenge;
    const reservation = await this.deps.limiter.reserve([{ rule: SECOND_FACTOR_RULE, subject: userId }]);
    const found = await refundOnError(reservation, () => this.findFactor(userId, given, now));
    // The challenge and the factor are spent together: a challenge that died meanwhile
    // leaves the code unspent, a code refused leaves the challenge as it was.
    const completion = found
      ? await refundOnError(reservation, () =>
          this.deps.repository.completeChallenge(hash, userId, found, now, MFA_CHALLENGE_MAX_FAILURES),
        )
      : 'factor_refused';
    if (completion === 'challenge_refused') {
      await reservation.refund();
      throw new SecondFactorError('MFA_CHALLENGE_INVALID');
    }
    if (completion === 'factor_refused') {
      if (found && (await this.isReplay(userId, found))) {
        await reservation.refund();
        throw new SecondFactorError('INVALID_MFA_CODE');
      }
      await this.deps.repository.recordChallengeFailure(hash);
      await this.deps.audit.record(AuditEventType.SECOND_FACTOR_FAILED, { userId, client, details: { step: 'login' } });
      throw new SecondFactorError('INVALID_MFA_CODE');
    }
    await reservation.refund();
    const proven: ProvenFactor = found!.kind;
    const user = await this.deps.users.findById(userId);
    if (!user) throw new SecondFactorError('MFA_CHALLENGE_INVALID');
    const issued = await this.deps.sessions.open(
      { ...user, credentialsVersion: challenge.credentialsVersion },
      client,
      {
        methods: normalizeMethods(['pwd', 'otp']),
        at: challenge.passwordAt,
      },
    );
    await this.deps.audit.record(AuditEventType.LOGIN_SUCCEEDED, {
      userId,
      sessionId: issued.sessionId,
      client,
      details: { secondFactor: proven },
    });
    if (proven === 'recovery_code') await this.recordRecoveryCodeUse(userId, issued.sessionId, client);
    return issued;
  }

  /**
   * A new secret, waiting for its first code; replaces any enrolment not yet confirmed. The
   * current password is proven in the call (throttled like reauthenticate, on the same
   * budget): an access token alone, stolen from a fresh login, must not enrol its holder's
   * authenticator and take the recovery codes.
   */
  async startEnrollment(viewer: Viewer, currentPassword: string, client: ClientInfo): Promise<TotpEnrollment> {
    if (await this.deps.repository.isEnrolled(viewer.id)) throw alreadyOn();
    await this.requireVerifiedEmail(viewer.id);
    await this.proveAgain(viewer, currentPassword, null, client, 'start_totp_enrollment');
    const user = await this.deps.users.findById(viewer.id);
    if (!user) throw new InvalidTokenError('TOKEN_REVOKED');
    const secret = newTotpSecret();
    const now = this.deps.now();
    const started = await this.deps.repository.startEnrollment(
      viewer.id,
      this.deps.secrets.seal(viewer.id, secret),
      now,
      now + ENROLLMENT_TTL_SECONDS * 1000,
    );
    if (!started) throw alreadyOn();
    const { base32, uri } = describeTotp(secret, TOTP_ISSUER, user.email);
    const qrCodeSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return { secret: base32, otpauthUri: uri, qrCodeSvg, expiresInSeconds: ENROLLMENT_TTL_SECONDS };
  }

  /**
   * Activates the pending authenticator with a code from it and returns fresh recovery
   * codes (shown once; only their keyed hashes are kept). Every other session of the user,
   * opened with the password alone, ends.
   */
  async confirmEnrollment(viewer: Viewer, rawCode: string, client: ClientInfo): Promise<string[]> {
    const code = normalizeTotpCode(rawCode);
    if (!code) throw new InvalidInputError('code', 'Enter the 6-digit code your authenticator app shows.');
    await this.requireVerifiedEmail(viewer.id);
    const now = this.deps.now();
    const pending = await this.deps.repository.findAuthenticator(viewer.id);
    if (pending?.confirmedAt) throw alreadyOn();
    if (!pending || pending.pendingUntil === null || now >= pending.pendingUntil) {
      throw new InvalidInputError(
        'code',
        'No enrolment is waiting for a code (it expires after 10 minutes); start again.',
      );
    }
    const step = matchTotpStep(this.deps.secrets.open(viewer.id, pending.sealedSecret), code, now);
    if (step === null) throw new InvalidInputError('code', 'The code is incorrect.', 'INVALID_MFA_CODE');
    const codes = generateRecoveryCodes();
    const activated = await this.deps.repository.activate({
      userId: viewer.id,
      sessionId: viewer.sessionId,
      step,
      recoveryCodeHashes: codes.map((c) => this.hashCode(viewer.id, normalizeRecoveryCode(c)!)),
      now,
    });
    if (!activated) {
      throw new InvalidInputError(
        'code',
        'The enrolment could not be confirmed (it expired or was replaced); start again.',
      );
    }
    const ended = await this.deps.sessions.end(
      { userId: viewer.id, exceptSessionId: viewer.sessionId },
      'credentials_changed',
    );
    await this.deps.audit.record(AuditEventType.TWO_FACTOR_ENABLED, {
      userId: viewer.id,
      sessionId: viewer.sessionId,
      client,
      details: { method: 'totp', sessionsEnded: ended.length },
    });
    await this.deps.mail.changed(viewer.id, 'enabled');
    return codes;
  }

  /**
   * New recovery codes for an enrolled user; the old ones stop working. The password and a
   * current code (or a recovery code) are proven in the call itself.
   */
  async regenerateRecoveryCodes(
    viewer: Viewer,
    currentPassword: string,
    factor: SecondFactorInput,
    client: ClientInfo,
  ): Promise<string[]> {
    const given = parseFactor(factor);
    if (!(await this.deps.repository.isEnrolled(viewer.id))) throw notOn();
    await this.proveAgain(viewer, currentPassword, given, client, 'regenerate_recovery_codes');
    const codes = generateRecoveryCodes();
    const hashes = codes.map((c) => this.hashCode(viewer.id, normalizeRecoveryCode(c)!));
    if (!(await this.deps.repository.replaceRecoveryCodes(viewer.id, hashes, this.deps.now()))) throw notOn();
    await this.deps.audit.record(AuditEventType.RECOVERY_CODES_REGENERATED, {
      userId: viewer.id,
      sessionId: viewer.sessionId,
      client,
    });
    await this.deps.mail.changed(viewer.id, 'recovery_codes_regenerated');
    return codes;
  }

  /**
   * Turns the caller's second factor off, the password and a current code (or a recovery
   * code) proven in the call itself; false, asking nothing, when it was not on.
   */
  async disable(
    viewer: Viewer,
    currentPassword: string,
    factor: SecondFactorInput,
    client: ClientInfo,
  ): Promise<boolean> {
    if (!(await this.deps.repository.isEnrolled(viewer.id))) return false;
    const given = parseFactor(factor);
    await this.proveAgain(viewer, currentPassword, given, client, 'disable_totp');
    const removed = await this.deps.repository.remove(viewer.id, { bumpCredentials: false });
    if (removed) {
      await this.deps.audit.record(AuditEventType.TWO_FACTOR_DISABLED, {
        userId: viewer.id,
        sessionId: viewer.sessionId,
        client,
      });
      await this.deps.mail.changed(viewer.id, 'disabled');
    }
    return removed;
  }

  /**
   * An ADMIN removes a user's second factor (a lost phone and lost codes). Every session of
   * the user ends: the device that held the authenticator may be in someone else's hands,
   * and whoever asked for the reset must now prove the password afresh.
   */
  async reset(actor: Viewer, userId: string, client: ClientInfo): Promise<boolean> {
    const user = userId.length <= 64 ? await this.deps.users.findById(userId) : null;
    if (!user) throw new InvalidInputError('userId', 'There is no user with this id.');
    const removed = await this.deps.repository.remove(userId, { bumpCredentials: true });
    if (!removed) return false;
    const ended = await this.deps.sessions.end({ userId }, 'credentials_changed');
    await this.deps.audit.record(AuditEventType.TWO_FACTOR_RESET, {
      userId,
      actorId: actor.id,
      sessionId: actor.sessionId,
      client,
      details: { sessionsEnded: ended.length },
    });
    await this.deps.mail.changed(userId, 'reset');
    return true;
  }

  /**
   * Step-up: the caller proves again what login asks of them (the password, plus a code
   * when the account has a second factor), and gets an access token stating it, for the
   * same session; the refresh token stays as it is and its refreshes state it too.
   */
  async reauthenticate(
    viewer: Viewer,
    password: string,
    factor: SecondFactorInput,
    client: ClientInfo,
  ): Promise<IssuedAccessToken> {
    const { credentialsVersion, proven } = await this.proveIdentity(viewer, password, factor, client, 'reauthenticate');
    const methods: AuthMethod[] = proven ? ['pwd', 'otp'] : ['pwd'];
    const issued = await this.deps.sessions.reauthenticated(viewer, credentialsVersion, {
      methods: normalizeMethods(methods),
      at: this.deps.now(),
    });
    if (!issued) throw new InvalidTokenError('TOKEN_REVOKED');
    await this.deps.audit.record(AuditEventType.REAUTHENTICATED, {
      userId: viewer.id,
      sessionId: viewer.sessionId,
      client,
      details: { secondFactor: proven ?? 'none' },
    });
    return issued;
  }

  /**
   * What login asks, proven again in the call: the password, plus a current code (or a
   * recovery code, then spent) when the account has a second factor; a code given for an
   * account without one is refused. Throttled and audited as `proveAgain` says, under
   * `action`. Other modules ask this before a change a stolen access token must not make.
   */
  async proveIdentity(
    viewer: Viewer,
    password: string,
    factor: SecondFactorInput,
    client: ClientInfo,
    action: string,
  ): Promise<{ credentialsVersion: number; proven: ProvenFactor | null }> {
    const given = parseFactor(factor, { optional: true });
    const enrolled = await this.deps.repository.isEnrolled(viewer.id);
    if (enrolled && !given) {
      throw new InvalidInputError(
        'code',
        'This account has two-factor authentication: give a code from the authenticator app, or a recovery code.',
        'SECOND_FACTOR_REQUIRED',
      );
    }
    if (!enrolled && given) throw notOn('code');
    return this.proveAgain(viewer, password, given, client, action);
  }

  /**
   * The caller proves again, in the call, the password and (when `given`) a second factor,
   * which is spent. Wrong answers spend reauthenticate's budget (and a wrong code the
   * per-account second-factor budget too), whichever mutation asked, and are audited as
   * failed re-authentications; a replayed code spends neither. A used recovery code is audited.
   */
  private async proveAgain(
    viewer: Viewer,
    password: string,
    given: ParsedFactor | null,
    client: ClientInfo,
    action: string,
  ): Promise<{ credentialsVersion: number; proven: ProvenFactor | null }> {
    const reservation = await this.deps.limiter.reserve([{ rule: REAUTHENTICATE_RULE, subject: viewer.id }]);
    let credentialsVersion: number;
    let proven: ProvenFactor | null = null;
    try {
      credentialsVersion = await refundOnError(reservation, () => this.checkPassword(viewer.id, password));
      if (given) {
        const secondFactor = await this.deps.limiter.reserve([{ rule: SECOND_FACTOR_RULE, subject: viewer.id }]);
        const outcome = await refundOnError(secondFactor, () => this.prove(viewer.id, given, this.deps.now()));
        if (outcome === 'replayed') {
          await secondFactor.refund();
          await reservation.refund();
          throw new ReplayedCodeError();
        }
        if (outcome === 'wrong') throw new InvalidInputError('code', 'The code is incorrect.', 'INVALID_MFA_CODE');
        await secondFactor.refund();
        proven = outcome;
      }
    } catch (error) {
      // A replay gave both budgets back above: nothing to count, nothing to audit.
      if (error instanceof InvalidInputError && !(error instanceof ReplayedCodeError)) {
        await this.deps.audit.record(AuditEventType.REAUTHENTICATION_FAILED, {
          userId: viewer.id,
          sessionId: viewer.sessionId,
          client,
          details: { field: error.field, action },
        });
      } else if (!(error instanceof InvalidInputError)) {
        await reservation.refund();
      }
      throw error;
    }
    await reservation.refund();
    if (proven === 'recovery_code') await this.recordRecoveryCodeUse(viewer.id, viewer.sessionId, client);
    return { credentialsVersion, proven };
  }

  /**
   * Pre-hijack: whoever signed up with someone else's address must not leave an
   * authenticator behind that outlives the owner's recovery of the account by password reset
   * (it would lock the owner out, or let the squatter back in). Nothing is asked or spent first.
   */
  private async requireVerifiedEmail(userId: string): Promise<void> {
    if (!this.deps.emailVerification) return;
    const user = await this.deps.users.findById(userId);
    if (!user) throw new InvalidTokenError('TOKEN_REVOKED');
    if (!user.emailVerified) throw new EmailNotVerifiedInputError();
  }

  /** Each user's status, in the order asked (for a batching loader). */
  async statuses(userIds: readonly string[]): Promise<TwoFactorStatus[]> {
    const found = await this.deps.repository.statuses(userIds);
    return userIds.map((id) => found.get(id)!);
  }

  /** The password of the caller's account, with the argon2 work of a real check when it cannot be one. */
  private async checkPassword(userId: string, password: string): Promise<number> {
    const incorrect = () => new InvalidInputError('password', 'The password is incorrect.');
    const credentials =
      [...password].length <= PASSWORD_MAX_LENGTH ? await this.deps.users.findCredentialsById(userId) : null;
    if (!credentials) {
      await this.deps.passwords.verifyAgainstDummy(password.slice(0, PASSWORD_MAX_LENGTH));
      throw incorrect();
    }
    const { ok } = await this.deps.passwords.verify(credentials.passwordHash, password.normalize('NFKC'));
    if (!ok || credentials.user.disabled) throw incorrect();
    return credentials.user.credentialsVersion;
  }

  /**
   * What `factor` would spend, when it can be right: the step its code matches (not yet
   * spent: that is for the caller's compare-and-set), or the recovery code's hash (whether
   * it exists and is unused, only spending it tells). Null: wrong.
   */
  private async findFactor(userId: string, factor: ParsedFactor, now: number): Promise<FactorToSpend | null> {
    if (!factor.value) return null;
    if (factor.kind === 'recovery_code')
      return { kind: 'recovery_code', codeHash: this.hashCode(userId, factor.value) };
    const authenticator = await this.deps.repository.findAuthenticator(userId);
    if (!authenticator?.confirmedAt) return null;
    const step = matchTotpStep(this.deps.secrets.open(userId, authenticator.sealedSecret), factor.value, now);
    return step === null ? null : { kind: 'totp', step };
  }

  /** Checks and spends a second factor outside a login. */
  private async prove(userId: string, factor: ParsedFactor, now: number): Promise<FactorOutcome> {
    const { repository } = this.deps;
    const found = await this.findFactor(userId, factor, now);
    if (!found) return 'wrong';
    if (found.kind === 'recovery_code') {
      return (await repository.useRecoveryCode(userId, found.codeHash, now)) ? 'recovery_code' : 'wrong';
    }
    if (await repository.useStep(userId, found.step)) return 'totp';
    return (await this.isReplay(userId, found)) ? 'replayed' : 'wrong';
  }

  /**
   * A right code whose step is already spent (by this request's twin, or an earlier use): no
   * guess, since only the secret's holder or someone who saw the code knows it, and the step
   * can never be accepted again. Any other refusal (a used recovery code, an authenticator
   * removed meanwhile) is counted as wrong.
   */
  private async isReplay(userId: string, found: FactorToSpend): Promise<boolean> {
    if (found.kind !== 'totp') return false;
    const authenticator = await this.deps.repository.findAuthenticator(userId);
    return (
      authenticator?.confirmedAt != null &&
      authenticator.lastUsedStep !== null &&
      authenticator.lastUsedStep >= found.step
    );
  }

  private async recordRecoveryCodeUse(userId: string, sessionId: string, client: ClientInfo): Promise<void> {
    const left = await this.deps.repository.recoveryCodesLeft(userId);
    await this.deps.audit.record(AuditEventType.RECOVERY_CODE_USED, {
      userId,
      sessionId,
      client,
      details: { recoveryCodesLeft: left },
    });
  }

  private hashCode(userId: string, normalized: string): string {
    return hashRecoveryCode(this.deps.recoveryCodeKey, userId, normalized);
  }
}

/** `value` null: the input cannot be such a code (it is still counted as a wrong one). */
type ParsedFactor = { readonly kind: 'totp' | 'recovery_code'; readonly value: string | null };

function parseFactor(factor: SecondFactorInput, options?: { optional: false }): ParsedFactor;
function parseFactor(factor: SecondFactorInput, options: { optional: true }): ParsedFactor | null;
function parseFactor(factor: SecondFactorInput, options = { optional: false }): ParsedFactor | null {
  const code = factor.code ?? null;
  const recoveryCode = factor.recoveryCode ?? null;
  if (code !== null && recoveryCode !== null) {
    throw new InvalidInputError('recoveryCode', 'Give either a code or a recovery code, not both.');
  }
  if (code !== null) return { kind: 'totp', value: code.length <= 64 ? normalizeTotpCode(code) : null };
  if (recoveryCode !== null) return { kind: 'recovery_code', value: normalizeRecoveryCode(recoveryCode) };
  if (options.optional) return null;
  throw new InvalidInputError('code', 'Give a code from the authenticator app, or a recovery code.');
}

function alreadyOn(): InvalidInputError {
  return new InvalidInputError('totp', 'Two-factor authentication is already on; turn it off first.');
}

function notOn(field = 'totp'): InvalidInputError {
  return new InvalidInputError(field, 'Two-factor authentication is not on for this account.');
}

/** Gives the attempt back when the work fails for any reason but a wrong answer (a database failure is no guess). */
async function refundOnError<T>(reservation: Reservation, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof InvalidInputError)) await reservation.refund();
    throw error;
  }
}
