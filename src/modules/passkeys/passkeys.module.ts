import { secondFactorsNeedProvenAddress } from '../../config';
import { defineModule } from '../module';
import * as passkeysMigration from './migrations/0020_passkeys';
import { PasskeyChallengeRepository } from './passkey-challenges.repository';
import { PasskeyMail } from './passkey-mail';
import { PasskeyRepository } from './passkey.repository';
import { PasskeyResolver } from './passkey.resolver';
import { PasskeyService } from './passkey.service';
import { RelyingParty } from './relying-party';

declare module '../module' {
  interface Services {
    readonly passkeys: PasskeyService;
  }
}

/** Passkeys (WebAuthn): registration, discoverable sign-in (two factors), step-up, and the list. */
export const passkeysModule = defineModule({
  name: 'passkeys',
  migrations: { '0020_passkeys': passkeysMigration },
  createServices(
    { config, database, logger, now, deriveKey, mailer },
    { userRepository, sessions, audit, attemptLimiter, twoFactor },
  ) {
    const passkeys = new PasskeyService({
      passkeys: new PasskeyRepository(database.db, database.dialect),
      challenges: new PasskeyChallengeRepository(database.db),
      users: userRepository,
      sessions,
      audit,
      limiter: attemptLimiter,
      throttle: config.throttle,
      relyingParty: config.passkeys ? new RelyingParty(config.passkeys) : null,
      userHandleKey: deriveKey('webauthn user handle'),
      requireVerifiedEmail: config.accounts.requireVerifiedEmail,
      emailVerification: secondFactorsNeedProvenAddress(config.accounts),
      // The two-factor module's proof (built before this one): one budget, one audit trail.
      identity: twoFactor,
      mail: new PasskeyMail(mailer, userRepository),
      logger,
      now,
    });
    return { passkeys };
  },
  createResolvers: ({ passkeys }) => [new PasskeyResolver(passkeys)],
  housekeeping({ database }) {
    const challenges = new PasskeyChallengeRepository(database.db);
    return [{ name: 'expired passkey challenges', run: (now) => challenges.purgeExpired(now) }];
  },
});
