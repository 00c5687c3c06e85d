import { singleCredentialCheckRule } from '../../graphql/single-credential-check.rule';
import { defineModule } from '../module';
import { AttemptCounterRepository } from './attempt-counter.repository';
import { AttemptLimiter } from './attempt-limiter';
import { CredentialsResolver } from './credentials.resolver';
import { CREDENTIAL_MUTATIONS, CredentialsService } from './credentials.service';
import * as attemptCounters from './migrations/0005_attempt_counters';

declare module '../module' {
  interface Services {
    readonly credentials: CredentialsService;
  }
}

/** Proving a password: signUp, login, changePassword, with their throttling; and refresh's answer. */
export const credentialsModule = defineModule({
  name: 'credentials',
  migrations: { '0005_attempt_counters': attemptCounters },
  createServices({ config, database, now, deriveKey }, { users, sessions, audit }) {
    const counters = new AttemptCounterRepository(database.db);
    const credentials = new CredentialsService({
      users,
      sessions,
      audit,
      limiter: new AttemptLimiter(counters, deriveKey('attempt counters'), now),
      throttle: config.throttle,
      auditKey: deriveKey('audit email pseudonyms'),
    });
    return { credentials };
  },
  createResolvers: ({ credentials, sessions }) => [new CredentialsResolver(credentials, sessions)],
  validationRules: [singleCredentialCheckRule(CREDENTIAL_MUTATIONS)],
  housekeeping({ database }) {
    const counters = new AttemptCounterRepository(database.db);
    return [{ name: 'ended attempt windows', run: (now) => counters.purgeEnded(now) }];
  },
});
