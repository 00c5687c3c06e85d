import type { ClientInfo } from '../../auth/client-info';
import { throttlingAddress } from '../../auth/throttling-address';
import type { Viewer } from '../../auth/tokens';
import type { AccountsThrottleConfig, AttemptLimit } from '../../config';
import { EmailTokenError, FeatureDisabledError, InvalidInputError } from '../../errors/domain-errors';
import { AuditEventType } from '../audit/audit.model';
import type { AuditLog } from '../audit/audit-log';
import type { AttemptLimiter, AttemptRule } from '../credentials/attempt-limiter';
import type { UserRecord } from '../user/user.model';
import type { UserRepository } from '../user/user.repository';
import { validEmail } from '../user/user.rules';
import type { UserService } from '../user/user.service';
import type { AccountMail } from './account-mail';
import { TOKEN_LIFETIME_MS, type AccountTokenCrypto } from './account-tokens';
import type { AccountTokenRepository } from './account-tokens.repository';
import { mailLinkToAddress } from './mail-link-to-address';

export interface EmailVerificationDeps {
  /** EMAIL_VERIFICATION. */
  readonly enabled: boolean;
  readonly tokens: AccountTokenRepository;
  readonly crypto: AccountTokenCrypto;
  readonly mail: AccountMail;
  readonly users: UserService;
  readonly userRepository: UserRepository;
  readonly audit: AuditLog;
  readonly limiter: AttemptLimiter;
  readonly throttle: AccountsThrottleConfig;
  /** The limit of wrong current passwords (changePassword's), shared by changeEmail. */
  readonly passwordChangePerUser: AttemptLimit;
  /** Keys the hash that stands in the audit log for an email that belongs to no account. */
  readonly auditKey: Buffer;
  readonly now: () => number;
}

/** Proving addresses: the link after sign-up, resending it, following it, and changing one's address. */
export class EmailVerificationService {
  private readonly rules: Readonly<
    Record<'perEmail' | 'perIp' | 'changePerUser' | 'changePerIp' | 'wrongPassword', AttemptRule>
  >;

  constructor(private readonly deps: EmailVerificationDeps) {
    const resends = 'Too many verification emails asked for; try again later.';
    this.rules = {
      perEmail: {
        name: 'verification-resend:email',
        limit: deps.throttle.verificationResendPerEmail,
        refusal: resends,
      },
      perIp: { name: 'verification-resend:ip', limit: deps.throttle.verificationResendPerIp, refusal: resends },
      // Every changeEmail call mails two messages, one to an address of the caller's choosing:
      // counted whether it succeeds or not, or a signed-in account is a spam relay and a way
      // to flood the mail queue.
      changePerUser: {
        name: 'change-email:user',
        limit: deps.throttle.changeEmailPerUser,
        refusal: 'Too many email changes asked for; try again later.',
      },
      changePerIp: {
        name: 'change-email:ip',
        limit: deps.throttle.changeEmailPerIp,
        refusal: 'Too many email changes asked for; try again later.',
      },
      // changePassword's rule by name, so both spend one budget: a stolen access token gets
      // PASSWORD_CHANGE_MAX_FAILURES guesses at the password, not that many per mutation.
      wrongPassword: {
        name: 'change-password:user',
        limit: deps.passwordChangePerUser,
        refusal: 'Too many wrong current passwords; try again later.',
      },
    };
  }

  /** After sign-up: the link to the new account's address. */
  async sendForNewAccount(user: UserRecord): Promise<void> {
    if (!this.deps.enabled) return;
    const token = await this.store(user, 'verify_email', user.email);
    this.deps.mail.verifyEmail(user.email, token).deliver();
  }

  /**
   * Sends a new link to the address, if it belongs to an account that is not verified
   * (nor disabled). Throttled per address and per IP, counting every call. The caller is
   * answered the same, after the same work (one INSERT that stores a row either way, one audit row, one
   * message rendered), whether or not anything was sent.
   */
  async resend(rawEmail: string, client: ClientInfo): Promise<void> {
    this.requireEnabled();
    await mailLinkToAddress(
      this.deps,
      {
        purpose: 'verify_email',
        rules: this.rules,
        auditType: AuditEventType.VERIFICATION_REQUESTED,
        compose: (email, token) => this.deps.mail.verifyEmail(email, token),
      },
      rawEmail,
      client,
    );
  }

  /**
   * Follows a link: verifies the account's address, or completes an email change. A
   * change whose address another account took meanwhile changes nothing and says so.
   */
  async verify(token: string, client: ClientInfo): Promise<void> {
    this.requireEnabled();
    if (!this.deps.crypto.isWellFormed(token)) throw new EmailTokenError();
    const hashes = [this.deps.crypto.hash('verify_email', token), this.deps.crypto.hash('change_email', token)];
    const result = await this.deps.tokens.useVerification(hashes, this.deps.now());
    switch (result.outcome) {
      case 'invalid':
        throw new EmailTokenError();
      case 'email_taken':
        throw new InvalidInputError(
          'token',
          'This email address now belongs to another account; your address was not changed.',
          'EMAIL_TAKEN',
        );
      case 'verified':
        await this.deps.audit.record(AuditEventType.EMAIL_VERIFIED, {
          userId: result.userId,
          client,
          details: { email: result.email },
        });
        return;
      case 'changed':
        await this.deps.audit.record(AuditEventType.EMAIL_CHANGED, {
          userId: result.userId,
          client,
          details: { from: result.previousEmail, to: result.email },
        });
        return;
    }
  }

  /**
   * Needs the current password (counted with changePassword's wrong guesses). Nothing
   * changes until the link sent to the new address is followed; that link replaces any
   * earlier one, and works only while the account keeps its address and credentials. The
   * current address is told at once if it is verified (an unproven address may be a
   * stranger's), without quoting the new one, which the caller chose. An address that
   * already has an account gets a notice instead of a link, and the caller the same
   * answer: no probing which addresses are taken. Throttled per user and per IP,
   * counting every call.
   */
  async changeEmail(viewer: Viewer, rawNewEmail: string, currentPassword: string, client: ClientInfo): Promise<void> {
    this.requireEnabled();
    const newEmail = validEmail(rawNewEmail, 'newEmail');
    await this.deps.limiter.reserve([
      { rule: this.rules.changePerIp, subject: throttlingAddress(client.ip) },
      { rule: this.rules.changePerUser, subject: viewer.id },
    ]);
    const reservation = await this.deps.limiter.reserve([{ rule: this.rules.wrongPassword, subject: viewer.id }]);
    let user: UserRecord;
    try {
      user = await this.deps.users.proveCurrentPassword(viewer.id, currentPassword);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) await reservation.refund();
      throw error;
    }
    await reservation.refund();
    if (newEmail === user.email) throw new InvalidInputError('newEmail', 'This is already your email address.');
    const holder = await this.deps.userRepository.findCredentialsByEmail(newEmail);
    if (holder) {
      this.deps.mail.emailInUse(newEmail).deliver();
    } else {
      const token = await this.store(user, 'change_email', newEmail);
      this.deps.mail.confirmEmailChange(newEmail, token).deliver();
    }
    if (user.emailVerified) this.deps.mail.emailChangeRequested(user.email).deliver();
    await this.deps.audit.record(AuditEventType.EMAIL_CHANGE_REQUESTED, {
      userId: user.id,
      sessionId: viewer.sessionId,
      client,
      details: { email: newEmail },
    });
  }

  private async store(user: UserRecord, purpose: 'verify_email' | 'change_email', email: string): Promise<string> {
    const token = this.deps.crypto.generate();
    const now = this.deps.now();
    await this.deps.tokens.issueForUser({
      purpose,
      userId: user.id,
      email,
      accountEmail: user.email,
      credentialsVersion: user.credentialsVersion,
      tokenHash: this.deps.crypto.hash(purpose, token),
      now,
      expiresAt: now + TOKEN_LIFETIME_MS[purpose],
    });
    return token;
  }

  private requireEnabled(): void {
    if (!this.deps.enabled) throw new FeatureDisabledError('Email verification');
  }
}
