import { keyedHash } from '../../auth/keyed-hash';
import { normalizePassword } from '../../auth/passwords';
import { throttlingAddress } from '../../auth/throttling-address';
import type { Viewer } from '../../auth/tokens';
import type { ThrottleConfig } from '../../config';
import {
  EmailNotVerifiedError,
  InvalidCredentialsError,
  InvalidInputError,
  RefreshError,
} from '../../errors/domain-errors';
import { AuditEventType } from '../audit/audit.model';
import type { AuditLog } from '../audit/audit-log';
import type { ClientInfo } from '../../auth/client-info';
import type { IssuedSession, SessionService } from '../session/session.service';
import type { UserRecord } from '../user/user.model';
import { EMAIL_MAX_LENGTH, canonicalEmail } from '../user/user.rules';
import type { NewAccount, UserService } from '../user/user.service';
import type { AttemptLimiter, AttemptRule, Reservation } from './attempt-limiter';

/** The mutations that check a credential: at most one of them may run per operation. */
export const CREDENTIAL_MUTATIONS = [
  'login',
  'signUp',
  'refresh',
  'changePassword',
  'changeEmail',
  'resetPassword',
  'verifyMfa',
  'reauthenticate',
  // Each has its own throttle and single-use challenge; one per operation keeps aliases from
  // multiplying attempts past what the limiter counted.
  'finishPasskeyLogin',
  'finishPasskeyReauthentication',
] as const;

export interface CredentialsServiceDeps {
  readonly users: UserService;
  readonly sessions: SessionService;
  readonly audit: AuditLog;
  readonly limiter: AttemptLimiter;
  readonly throttle: ThrottleConfig;
  /** Keys the hash that stands in the audit log for an email that belongs to no account. */
  readonly auditKey: Buffer;
  /** REQUIRE_VERIFIED_EMAIL: no session for an account whose address is not verified. */
  readonly requireVerifiedEmail: boolean;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

/** Runs after an account is created, before any session is opened (the accounts module sends its verification link). */
export type SignUpListener = (user: UserRecord, client: ClientInfo) => Promise<void>;

/**
 * A later module's say in login once the password is proven (two-factor): it throws
 * (SecondFactorRequiredError) instead of letting a session open when the account has a
 * second factor. `provenAt`: when the password was proven (ms).
 */
export interface SecondFactorGate {
  requireIfEnrolled(user: UserRecord, provenAt: number): Promise<void>;
}

/** Turns a proven identity into a session, and credentials changes into ended sessions. */
export class CredentialsService {
  private readonly rules: Readonly<Record<keyof ThrottleConfig, AttemptRule>>;
  private readonly signUpListeners: SignUpListener[] = [];
  private secondFactor: SecondFactorGate | null = null;

  constructor(private readonly deps: CredentialsServiceDeps) {
    const { throttle } = deps;
    const failedLogins = 'Too many failed logins; try again later.';
    this.rules = {
      loginPerEmailAndIp: { name: 'login:email+ip', limit: throttle.loginPerEmailAndIp, refusal: failedLogins },
      loginPerIp: { name: 'login:ip', limit: throttle.loginPerIp, refusal: failedLogins },
      passwordChangePerUser: {
        name: 'change-password:user',
        limit: throttle.passwordChangePerUser,
        refusal: 'Too many wrong current passwords; try again later.',
      },
      signUpPerIp: { name: 'sign-up:ip', limit: throttle.signUpPerIp, refusal: 'Too many sign-ups; try again later.' },
      loginPerAccount: {
        name: 'login:account',
        limit: throttle.loginPerAccount,
        // Unknown emails are paced alike: this says nothing about whether the account exists.
        refusal: 'Too many failed logins for this account; try again in a few seconds.',
      },
      refreshPerIp: {
        name: 'refresh:ip',
        limit: throttle.refreshPerIp,
        refusal: 'Too many refreshes from this address; try again shortly.',
      },
    };
  }

  /** Counted per IP, successful or not: each costs a hash and can probe whether an email is taken. */
  async signUp(account: NewAccount, client: ClientInfo): Promise<IssuedSession> {
    this.deps.users.checkNewAccount(account);
    const reservation = await this.deps.limiter.reserve([{ rule: this.rules.signUpPerIp, subject: ipOf(client) }]);
    const user = await refundUnless(reservation, InvalidInputError, () => this.deps.users.register(account));
    for (const listener of this.signUpListeners) await listener(user, client);
    if (this.deps.requireVerifiedEmail) {
      // The account exists and its link is on the way; the session waits for the address.
      await this.deps.audit.record(AuditEventType.SIGNED_UP, { userId: user.id, client });
      throw new EmailNotVerifiedError(user.id);
    }
    const issued = await this.deps.sessions.open(user, client);
    await this.deps.audit.record(AuditEventType.SIGNED_UP, { userId: user.id, sessionId: issued.sessionId, client });
    return issued;
  }

  /** Makes login ask `gate` before opening a session; one gate, set as the app is built. */
  useSecondFactor(gate: SecondFactorGate): void {
    if (this.secondFactor) throw new Error('A second-factor gate is already in use');
    this.secondFactor = gate;
  }

  /** Adds work to every sign-up (run in order, after the account is stored). */
  onSignUp(listener: SignUpListener): void {
    this.signUpListeners.push(listener);
  }

  /**
   * Every attempt is counted before the hash, per IP, per email and IP, and per account
   * (the email from every IP); only a failure keeps its count. The first two stop; the
   * account rule only paces, so that failures from elsewhere cannot lock its owner out.
   * Unknown emails are counted like known ones, so being throttled says nothing about
   * whether an account exists.
   */
  async login(email: string, password: string, client: ClientInfo): Promise<IssuedSession> {
    normalizePassword(password);
    const attempted = canonicalEmail(email).slice(0, EMAIL_MAX_LENGTH);
    const ip = ipOf(client);
    // The IP first: once it is over its limit, no per-email counter is even created for a new email.
    // The account last: an address the rules above stopped takes none of the account's paced slots.
    const reservation = await this.deps.limiter.reserve([
      { rule: this.rules.loginPerIp, subject: ip },
      { rule: this.rules.loginPerEmailAndIp, subject: `${attempted}\0${ip}` },
      { rule: this.rules.loginPerAccount, subject: attempted },
    ]);
    let issued: IssuedSession;
    try {
      issued = await refundUnless(reservation, InvalidCredentialsError, async () => {
        const user = await this.deps.users.authenticate(email, password, {
          requireVerifiedEmail: this.deps.requireVerifiedEmail,
        });
        // With a second factor, no session: a challenge (thrown, so the attempt is given back, as a success's is).
        await this.secondFactor?.requireIfEnrolled(user, this.deps.now());
        // Refuses (as invalid credentials) if the password changed or the user was disabled meanwhile,
        // or a second factor was enabled since the password was read (that bumps the credentials version).
        return this.deps.sessions.open(user, client);
      });
    } catch (error) {
      if (error instanceof InvalidCredentialsError) {
        await this.deps.audit.record(AuditEventType.LOGIN_FAILED, {
          userId: error.userId,
          client,
          // An attempted email that is no account's may be a password typed in the wrong field.
          details: error.userId ? { email: attempted } : { emailHash: keyedHash(this.deps.auditKey, attempted) },
        });
      }
      throw error;
    }
    // A success is not a failure: its count is given back.
    await reservation.refund();
    await this.deps.audit.record(AuditEventType.LOGIN_SUCCEEDED, {
      userId: issued.user.id,
      sessionId: issued.sessionId,
      client,
    });
    return issued;
  }

  /**
   * Exchanges a refresh token, counted per IP whether it works or not: each costs database
   * writes, and no token guessing is needed for a flood. A refused refresh leaves the
   * token unused.
   */
  async refresh(presented: string, client: ClientInfo): Promise<IssuedSession> {
    const reservation = await this.deps.limiter.reserve([{ rule: this.rules.refreshPerIp, subject: ipOf(client) }]);
    // Kept on success too: this is a rate, not a count of failures.
    return refundUnless(reservation, RefreshError, () => this.deps.sessions.refresh(presented, client));
  }

  /**
   * Someone who knows the old password may have sessions elsewhere: all but this one end.
   * Wrong current passwords are counted per user before the hash (a stolen access token
   * must not become a password oracle) and recorded.
   */
  async changePassword(
    viewer: Viewer,
    currentPassword: string,
    newPassword: string,
    client: ClientInfo,
  ): Promise<void> {
    normalizePassword(newPassword, 'newPassword');
    const reservation = await this.deps.limiter.reserve([
      { rule: this.rules.passwordChangePerUser, subject: viewer.id },
    ]);
    try {
      await refundUnless(reservation, InvalidInputError, () =>
        this.deps.users.changePassword(viewer.id, currentPassword, newPassword, viewer.sessionId),
      );
    } catch (error) {
      if (error instanceof InvalidInputError) {
        await this.deps.audit.record(AuditEventType.PASSWORD_CHANGE_FAILED, {
          userId: viewer.id,
          sessionId: viewer.sessionId,
          client,
        });
      }
      throw error;
    }
    await reservation.refund();
    const ended = await this.deps.sessions.end(
      { userId: viewer.id, exceptSessionId: viewer.sessionId },
      'password_changed',
    );
    await this.deps.audit.record(AuditEventType.PASSWORD_CHANGED, {
      userId: viewer.id,
      sessionId: viewer.sessionId,
      client,
      details: { sessionsEnded: ended.length },
    });
  }
}

/** An IPv6 client counts by its /64; requests without an address share one budget rather than escaping it. */
function ipOf(client: ClientInfo): string {
  return throttlingAddress(client.ip);
}

/**
 * Runs the guarded work; when it fails with anything but `counted` (the server was busy,
 * the database failed), the attempt was no guess and its count is given back.
 */
async function refundUnless<T>(
  reservation: Reservation,
  counted: abstract new (...args: never[]) => Error,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof counted)) await reservation.refund();
    throw error;
  }
}
