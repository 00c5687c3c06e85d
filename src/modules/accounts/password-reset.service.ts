import type { ClientInfo } from '../../auth/client-info';
import { normalizePassword, type PasswordHasher } from '../../auth/passwords';
import type { AccountsThrottleConfig } from '../../config';
import { EmailTokenError, FeatureDisabledError } from '../../errors/domain-errors';
import { AuditEventType } from '../audit/audit.model';
import type { AuditLog } from '../audit/audit-log';
import type { AttemptLimiter, AttemptRule } from '../credentials/attempt-limiter';
import type { SessionService } from '../session/session.service';
import type { AccountMail } from './account-mail';
import type { AccountTokenCrypto } from './account-tokens';
import type { AccountTokenRepository } from './account-tokens.repository';
import { mailLinkToAddress } from './mail-link-to-address';

export interface PasswordResetDeps {
  /** PASSWORD_RESET. */
  readonly enabled: boolean;
  readonly tokens: AccountTokenRepository;
  readonly crypto: AccountTokenCrypto;
  readonly mail: AccountMail;
  readonly passwords: PasswordHasher;
  readonly sessions: SessionService;
  readonly audit: AuditLog;
  readonly limiter: AttemptLimiter;
  readonly throttle: AccountsThrottleConfig;
  /** Keys the hash that stands in the audit log for an email that belongs to no account. */
  readonly auditKey: Buffer;
  readonly now: () => number;
}

/** A forgotten password: a link by mail, and a new password set with it. */
export class PasswordResetService {
  private readonly rules: Readonly<Record<'perEmail' | 'perIp', AttemptRule>>;

  constructor(private readonly deps: PasswordResetDeps) {
    const refusal = 'Too many password resets asked for; try again later.';
    this.rules = {
      perEmail: { name: 'password-reset:email', limit: deps.throttle.passwordResetPerEmail, refusal },
      perIp: { name: 'password-reset:ip', limit: deps.throttle.passwordResetPerIp, refusal },
    };
  }

  /**
   * Mails a reset link if the address belongs to an account (not disabled). The answer,
   * and the work before it, are the same either way: no password hashing, one INSERT that
   * stores a token row either way (owned by nobody for an unknown address: on PostgreSQL a
   * path that wrote nothing would commit without a WAL flush, measurably faster), one audit
   * row, one message rendered (sent only to an account; mail to strangers' addresses would
   * be a spam relay).
   * Throttled per address and per IP, counting every call.
   */
  async request(rawEmail: string, client: ClientInfo): Promise<void> {
    this.requireEnabled();
    await mailLinkToAddress(
      this.deps,
      {
        purpose: 'password_reset',
        rules: this.rules,
        auditType: AuditEventType.PASSWORD_RESET_REQUESTED,
        compose: (email, token) => this.deps.mail.passwordReset(email, token),
      },
      rawEmail,
      client,
    );
  }

  /**
   * Sets a new password with a reset token: the password rules first (nothing is used by
   * a refused password), then the token, checked before the hash so a dead one costs no
   * argon2 work, then used and the password replaced in one transaction that only one
   * request can win. Every session of the user ends (their access tokens are refused from
   * the next request on, as with logoutAll), and the owner is told by mail.
   */
  async reset(token: string, newPassword: string, client: ClientInfo): Promise<void> {
    this.requireEnabled();
    const password = normalizePassword(newPassword, 'newPassword');
    if (!this.deps.crypto.isWellFormed(token)) throw new EmailTokenError();
    const tokenHash = this.deps.crypto.hash('password_reset', token);
    if (!(await this.deps.tokens.resetTarget(tokenHash, this.deps.now()))) throw new EmailTokenError();
    const passwordHash = await this.deps.passwords.hash(password);
    // Read again: the hash took time, and the token must still be alive when it is used.
    const reset = await this.deps.tokens.useReset(tokenHash, passwordHash, this.deps.now());
    if (!reset) throw new EmailTokenError();
    const ended = await this.deps.sessions.end({ userId: reset.userId }, 'password_reset');
    await this.deps.audit.record(AuditEventType.PASSWORD_RESET, {
      userId: reset.userId,
      client,
      details: { sessionsEnded: ended.length },
    });
    this.deps.mail.passwordWasReset(reset.email).deliver();
  }

  private requireEnabled(): void {
    if (!this.deps.enabled) throw new FeatureDisabledError('Password reset');
  }
}
