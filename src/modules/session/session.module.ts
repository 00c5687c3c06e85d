import { createRefreshTokenCrypto } from '../../auth/refresh-tokens';
import { createLocalBus, createRedisBus } from '../../auth/revocation/revocation-bus';
import { Revocations } from '../../auth/revocation/revocations';
import { defineModule } from '../module';
import * as sessionsAndAudit from './migrations/0002_sessions_and_audit';
import * as credentialsVersion from './migrations/0004_credentials_version';
import * as refreshTokenReplays from './migrations/0008_refresh_token_replays';
import * as sessionAuthentication from './migrations/0015_session_authentication';
import { SessionRepository } from './session.repository';
import { SessionResolver } from './session.resolver';
import { SessionService } from './session.service';

declare module '../module' {
  interface Services {
    readonly sessions: SessionService;
    /** Ended sessions and changed roles, checked on every request. */
    readonly revocations: Revocations;
  }
}

/** Ended and expired sessions are kept this long (for support questions), then deleted with their tokens. */
export const ENDED_SESSION_RETENTION_MS = 30 * 86_400_000;

/** Sessions: refresh-token rotation and reuse detection, logout, instant revocation. */
export const sessionModule = defineModule({
  name: 'session',
  migrations: {
    '0002_sessions_and_audit': sessionsAndAudit,
    '0004_credentials_version': credentialsVersion,
    '0008_refresh_token_replays': refreshTokenReplays,
    '0015_session_authentication': sessionAuthentication,
  },
  createServices({ config, database, logger, now, tokens, deriveKey }, { userRepository, audit }) {
    const repository = new SessionRepository(database.db, database.dialect);
    const revocations = new Revocations({
      source: {
        endedSessionsSince: (since) => repository.endedSince(since),
        roleChangesSince: (since) => userRepository.rolesChangedSince(since),
        sessionState: (sessionId) => repository.revocationState(sessionId),
      },
      bus: config.redis ? createRedisBus(config.redis.url, config.redis.keyPrefix, logger) : createLocalBus(),
      now,
      maxAcceptanceMs: tokens.maxAcceptanceMs,
      logger,
    });
    const sessions = new SessionService({
      sessions: repository,
      tokens,
      refreshTokens: createRefreshTokenCrypto(deriveKey('refresh-token rotation')),
      revocations,
      audit,
      now,
      requireVerifiedEmail: config.accounts.requireVerifiedEmail,
      policy: {
        absoluteLifetimeMs: config.sessions.absoluteLifetimeSeconds * 1000,
        idleTimeoutMs: config.sessions.idleTimeoutSeconds * 1000,
        reuseGraceMs: config.sessions.reuseGraceSeconds * 1000,
      },
    });
    return { sessions, revocations };
  },
  createResolvers: ({ sessions }) => [new SessionResolver(sessions)],
  housekeeping({ database }) {
    const repository = new SessionRepository(database.db, database.dialect);
    // Far longer than a token lives: the revocation list never needs a session this removes.
    return [{ name: 'ended sessions', run: (now) => repository.purgeEndedBefore(now - ENDED_SESSION_RETENTION_MS) }];
  },
  start: ({ revocations }) => revocations.start(),
  stop: ({ revocations }) => revocations.close(),
});
