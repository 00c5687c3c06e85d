import { secondFactorsNeedProvenAddress } from '../../config';
import { defineModule } from '../module';
import * as twoFactor from './migrations/0016_two_factor';
import { TotpSecretBox } from './totp-secret-box';
import { TwoFactorMail } from './two-factor-mail';
import { TwoFactorRepository } from './two-factor.repository';
import { TwoFactorResolver } from './two-factor.resolver';
import { TwoFactorService } from './two-factor.service';

declare module '../module' {
  interface Services {
    readonly twoFactor: TwoFactorService;
  }
}

/** TOTP second factors with recovery codes: enrolment, login's second step, step-up re-authentication. */
export const twoFactorModule = defineModule({
  name: 'two-factor',
  migrations: { '0016_two_factor': twoFactor },
  createServices(
    { config, database, now, passwords, deriveKey, mailer },
    { userRepository, sessions, audit, attemptLimiter, credentials },
  ) {
    const service = new TwoFactorService({
      repository: new TwoFactorRepository(database.db),
      users: userRepository,
      passwords,
      sessions,
      audit,
      limiter: attemptLimiter,
      secrets: new TotpSecretBox(deriveKey('totp secret')),
      recoveryCodeKey: deriveKey('recovery codes'),
      emailVerification: secondFactorsNeedProvenAddress(config.accounts),
      mail: new TwoFactorMail(mailer, userRepository),
      now,
    });
    // Login asks this module before it opens a session.
    credentials.useSecondFactor(service);
    return { twoFactor: service };
  },
  createResolvers: ({ twoFactor }) => [new TwoFactorResolver(twoFactor)],
  housekeeping({ database }) {
    const repository = new TwoFactorRepository(database.db);
    return [{ name: 'expired MFA challenges and enrolments', run: (now) => repository.purgeExpired(now) }];
  },
});
