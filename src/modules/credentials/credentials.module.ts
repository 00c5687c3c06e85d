import { singleCredentialCheckRule } from '../../graphql/single-credential-check.rule';
import { defineModule } from '../module';
import { AttemptCounterRepository } from './attempt-counter.repository';
import { AttemptLimiter } from './attempt-limiter';
import { databaseAttemptStore, withFallback } from './attempt-store';
import { CredentialsResolver } from './credentials.resolver';
import { CREDENTIAL_MUTATIONS, CredentialsService } from './credentials.service';
import * as attemptCounters from './migrations/0005_attempt_counters';
import { RedisAttemptStore } from './redis-attempt-store';

declare module '../module' {
  interface Services {
    readonly credentials: CredentialsService;
    /** Counts attempts (logins, sign-ups, refreshes, password changes) before their work. */
    readonly attemptLimiter: AttemptLimiter;
  }
}

/** Proving a password: signUp, login, changePassword, with their throttling; and refresh's answer. */
export const credentialsModule = defineModule({
  name: 'credentials',
  migrations: { '0005_attempt_counters': attemptCounters },
  createServices({ config, database, logger, now, deriveKey }, { users, sessions, audit }) {
    // The database always: alone without Redis (shared by instances on one PostgreSQL), else Redis's fallback.
    const inDatabase = databaseAttemptStore(new AttemptCounterRepository(database.db), now);
    const store = config.redis
      ? withFallback(new RedisAttemptStore(config.redis, logger), inDatabase, logger)
      : inDatabase;
    const attemptLimiter = new AttemptLimiter(store, deriveKey('attempt counters'));
    const credentials = new CredentialsService({
      users,
      sessions,
      audit,
      limiter: attemptLimiter,
      throttle: config.throttle,
      auditKey: deriveKey('audit email pseudonyms'),
      requireVerifiedEmail: config.accounts.requireVerifiedEmail,
      now,
    });
    return { credentials, attemptLimiter };
  },
  createResolvers: ({ credentials }) => [new CredentialsResolver(credentials)],
  validationRules: [singleCredentialCheckRule(CREDENTIAL_MUTATIONS)],
  housekeeping({ database }) {
    const counters = new AttemptCounterRepository(database.db);
    return [{ name: 'ended attempt windows', run: (now) => counters.purgeEnded(now) }];
  },
  start: ({ attemptLimiter }) => attemptLimiter.start(),
  stop: ({ attemptLimiter }) => attemptLimiter.close(),
});
