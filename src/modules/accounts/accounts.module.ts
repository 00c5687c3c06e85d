import { defineModule } from '../module';
import { AccountMail } from './account-mail';
import { AccountTokenCrypto } from './account-tokens';
import { AccountTokenRepository } from './account-tokens.repository';
import { AccountsResolver } from './accounts.resolver';
import { EmailVerificationService } from './email-verification.service';
import * as accountTokens from './migrations/0010_account_tokens';
import { PasswordResetService } from './password-reset.service';

declare module '../module' {
  interface Services {
    /** Verification links, resending them, and changing one's address. */
    readonly emailVerification: EmailVerificationService;
    /** Forgotten passwords. */
    readonly passwordReset: PasswordResetService;
  }
}

/** Account flows by mail: email verification (and change), password reset. */
export const accountsModule = defineModule({
  name: 'accounts',
  migrations: { '0010_account_tokens': accountTokens },
  createServices(
    { config, database, mailer, passwords, now, deriveKey },
    { users, userRepository, sessions, audit, attemptLimiter, credentials },
  ) {
    const tokens = new AccountTokenRepository(database.db, database.dialect);
    const crypto = new AccountTokenCrypto(deriveKey('account link tokens'));
    const mail = new AccountMail(mailer, config.mail.publicUrl);
    const auditKey = deriveKey('audit email pseudonyms');
    const shared = { tokens, crypto, mail, audit, limiter: attemptLimiter, auditKey, now };
    const emailVerification = new EmailVerificationService({
      ...shared,
      enabled: config.accounts.emailVerification,
      users,
      userRepository,
      throttle: config.accounts.throttle,
      passwordChangePerUser: config.throttle.passwordChangePerUser,
    });
    const passwordReset = new PasswordResetService({
      ...shared,
      enabled: config.accounts.passwordReset,
      passwords,
      sessions,
      throttle: config.accounts.throttle,
    });
    credentials.onSignUp((user) => emailVerification.sendForNewAccount(user));
    return { emailVerification, passwordReset };
  },
  createResolvers: ({ emailVerification, passwordReset }) => [new AccountsResolver(emailVerification, passwordReset)],
  housekeeping({ database }) {
    const tokens = new AccountTokenRepository(database.db, database.dialect);
    return [{ name: 'expired account tokens', run: (now) => tokens.purgeExpired(now) }];
  },
});
