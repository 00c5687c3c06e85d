import type { RevocationVerdict } from '../auth/revocation/revocation-list';
import { refusedFromMs, type Viewer } from '../auth/tokens';
import { ServiceUnavailableError } from '../errors/domain-errors';
import type { Logger } from '../logger';
import { SubscriptionCloseCode, type CloseReason } from './close-codes';

/** Why an open connection must close now: its close code and one-word reason. */
export interface AccessEnded {
  readonly code: number;
  readonly reason: CloseReason;
}

/** The HTTP request's revocation check (Revocations.verify): from memory, or the database while the list is in doubt. */
export type RevocationCheck = (viewer: Viewer, log: Logger) => RevocationVerdict | Promise<RevocationVerdict>;

const EXPIRED: AccessEnded = { code: SubscriptionCloseCode.ACCESS_ENDED, reason: 'TOKEN_EXPIRED' };
const UNAVAILABLE: AccessEnded = { code: SubscriptionCloseCode.TRY_AGAIN_LATER, reason: 'SERVICE_UNAVAILABLE' };

/** Checks of one session (and roles version) against the database: the one running, and the one queued behind it. */
interface InFlight {
  readonly settled: Promise<void>;
  queued: Promise<AccessEnded | null> | null;
}

/**
 * Whether an open connection's viewer may still receive anything, by the rules an HTTP
 * request with its token would meet now: the token's expiry, then the same revocation
 * check as the HTTP context. Asked before every event is sent, when a subscription starts
 * on an open connection, and every second for every open session (access-sweep.ts).
 *
 * Without this, a socket would only learn of revocations the list is told about, and while
 * the list is in doubt (Redis unreachable) a session ended on another instance would keep
 * its sockets fed until the next reload: the socket would fail open where HTTP does not.
 *
 * While the list is in sync the answer is two map lookups. While it is in doubt it is a
 * query on the session row, and many events for many sockets of one session must not
 * become a query each: checks of one session and roles version run one at a time, and every
 * caller arriving while one runs shares the single check queued behind it. That check
 * starts after the caller asked, so a revocation committed before an event is never
 * answered by a check that started before it (at most two per session at any moment).
 */
export class ConnectionAccess {
  private readonly inFlight = new Map<string, InFlight>();

  constructor(
    private readonly checkRevocation: RevocationCheck,
    /** Milliseconds since the epoch: the clock tokens are verified with. */
    private readonly now: () => number,
  ) {}

  /** Null while `viewer` may still receive; otherwise why the connection must close. */
  check(viewer: Viewer, log: Logger): AccessEnded | null | Promise<AccessEnded | null> {
    // From refusedFromMs(exp) on, HTTP refuses the token: the same instant here, without I/O.
    if (this.now() >= refusedFromMs(viewer.expiresAt)) return EXPIRED;
    return this.revocation(viewer, log);
  }

  /**
   * The revocation check alone: null, 4403 with TOKEN_REVOKED or TOKEN_STALE, or 1013 when
   * it cannot be made (the list is in doubt and the database does not answer): fail closed.
   * Rejects only on an unexpected error.
   */
  revocation(viewer: Viewer, log: Logger): AccessEnded | null | Promise<AccessEnded | null> {
    const key = `${viewer.id}\n${viewer.sessionId}\n${viewer.rolesVersion}`;
    const running = this.inFlight.get(key);
    if (running) return (running.queued ??= running.settled.then(() => this.start(key, viewer, log)));
    return this.start(key, viewer, log);
  }

  private start(key: string, viewer: Viewer, log: Logger): AccessEnded | null | Promise<AccessEnded | null> {
    let verdict: RevocationVerdict | Promise<RevocationVerdict>;
    try {
      verdict = this.checkRevocation(viewer, log);
    } catch (error) {
      this.inFlight.delete(key);
      return closingFor(error);
    }
    if (!(verdict instanceof Promise)) {
      this.inFlight.delete(key);
      return endedBy(verdict);
    }
    const answer = verdict.then(endedBy, closingFor);
    const flight: InFlight = { settled: answer.then(noop, noop), queued: null };
    this.inFlight.set(key, flight);
    // Runs before the queued check (registered first): the entry goes only if nobody queued.
    void flight.settled.then(() => {
      if (this.inFlight.get(key) === flight && flight.queued === null) this.inFlight.delete(key);
    });
    return answer;
  }
}

/** The part of an open connection the checks need. */
export interface CheckedConnection {
  readonly viewer: Viewer | null;
  readonly log: Logger;
  close(code: number, reason: CloseReason): void;
}

/**
 * Null while `connection` may still receive; otherwise closes it and resolves why. An
 * anonymous connection only ever reads what is public: there is no access to end.
 */
export async function closeIfAccessEnded(
  connection: CheckedConnection,
  access: ConnectionAccess,
): Promise<AccessEnded | null> {
  const { viewer } = connection;
  if (!viewer) return null;
  let ended: AccessEnded | null;
  try {
    ended = await access.check(viewer, connection.log);
  } catch (error) {
    connection.log.error({ err: error }, 'unexpected error while checking an open WebSocket connection');
    ended = { code: SubscriptionCloseCode.INTERNAL_ERROR, reason: 'INTERNAL_ERROR' };
  }
  if (ended) connection.close(ended.code, ended.reason);
  return ended;
}

function endedBy(verdict: RevocationVerdict): AccessEnded | null {
  return verdict ? { code: SubscriptionCloseCode.ACCESS_ENDED, reason: verdict } : null;
}

/** The check could not be made: 1013 (try again later), never a pass. Anything else is a bug. */
function closingFor(error: unknown): AccessEnded {
  if (error instanceof ServiceUnavailableError) return UNAVAILABLE;
  throw error;
}

function noop(): void {}
