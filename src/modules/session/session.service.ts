import { randomUUID } from 'node:crypto';
import { PASSWORD_ONLY, type Authentication } from '../../auth/authentication-methods';
import type { RefreshTokenCrypto } from '../../auth/refresh-tokens';
import type { AccessTokens, IssuedAccessToken, Viewer } from '../../auth/tokens';
import type { SessionEndReason } from './session.tables';
import { EmailNotVerifiedError, InvalidCredentialsError, RefreshError } from '../../errors/domain-errors';
import { AuditEventType } from '../audit/audit.model';
import type { AuditLog } from '../audit/audit-log';
import type { UserRecord } from '../user/user.model';
import type { Revocations } from '../../auth/revocation/revocations';
import type { ClientInfo } from '../../auth/client-info';
import { sessionDeadline, type SessionPolicy, type SessionRecord } from './session.model';
import type { EndSessions, EndedSession, SessionHolder, SessionRepository } from './session.repository';

/** A signed-in state handed to the client: the pair of tokens and who they are for. */
export interface IssuedSession {
  readonly sessionId: string;
  readonly accessToken: string;
  /** Seconds the access token lives. */
  readonly expiresInSeconds: number;
  readonly refreshToken: string;
  /** Seconds until the refresh token can no longer be used (absolute or idle end, whichever is first). */
  readonly refreshExpiresInSeconds: number;
  readonly user: UserRecord;
}

export interface SessionServiceDeps {
  readonly sessions: SessionRepository;
  readonly tokens: AccessTokens;
  readonly refreshTokens: RefreshTokenCrypto;
  readonly revocations: Revocations;
  readonly audit: AuditLog;
  readonly policy: SessionPolicy;
  /**
   * REQUIRE_VERIFIED_EMAIL: no session opens, refreshes or takes a new authentication for
   * an account whose address is not verified. Here, where every route to a token passes
   * (login, sign-up, verifyMfa, passkey login, refresh, reauthenticate), so none is missed.
   */
  readonly requireVerifiedEmail: boolean;
  readonly now: () => number;
}

/** Replays of one rotated refresh token recorded in the audit log; further ones are answered, not recorded. */
export const REPLAYS_RECORDED_PER_ROTATION = 5;

/** Sessions: opening, refreshing with rotation and reuse detection, listing and ending. */
export class SessionService {
  constructor(private readonly deps: SessionServiceDeps) {}

  /**
   * Opens a session for a user who has just proven `user.credentialsVersion`. Throws
   * InvalidCredentialsError when the credentials changed or the user was disabled since
   * they were read (a login in flight during a password change keeps nothing).
   * `authentication`: what the caller proved and when; a password, now, unless told otherwise.
   */
  async open(user: UserRecord, client: ClientInfo, authentication?: Authentication): Promise<IssuedSession> {
    const { sessions, refreshTokens, policy } = this.deps;
    if (this.deps.requireVerifiedEmail && !user.emailVerified) throw new EmailNotVerifiedError(user.id);
    const now = this.deps.now();
    const proven = authentication ?? { methods: PASSWORD_ONLY, at: now };
    const refreshToken = refreshTokens.generate();
    const session = {
      id: randomUUID(),
      userId: user.id,
      expiresAt: new Date(now + policy.absoluteLifetimeMs),
      lastUsedAt: new Date(now),
    };
    const current = await sessions.create({
      ...session,
      credentialsVersion: user.credentialsVersion,
      tokenHash: refreshTokens.hash(refreshToken),
      now,
      client,
      authentication: proven,
    });
    if (!current) throw new InvalidCredentialsError(user.id);
    // Signed with the roles read as the session was created, not those read before the hash.
    return this.issue(current, session, refreshToken, now, proven);
  }

  /**
   * Exchanges a refresh token for a new pair. Concurrent calls with the same token
   * within the grace window all get the same pair; the same token after the window
   * is a replay by someone who should not have it, and ends the whole session.
   */
  async refresh(presented: string, client: ClientInfo): Promise<IssuedSession> {
    const { sessions, refreshTokens, policy } = this.deps;
    if (!refreshTokens.isWellFormed(presented)) throw new RefreshError('REFRESH_TOKEN_INVALID');
    const tokenHash = refreshTokens.hash(presented);
    let found = await sessions.findByTokenHash(tokenHash);
    if (!found) throw new RefreshError('REFRESH_TOKEN_INVALID');
    const now = this.deps.now();
    const { session } = found;
    if (session.endedAt !== null) {
      throw new RefreshError(session.endReason === 'expired' ? 'SESSION_EXPIRED' : 'REFRESH_TOKEN_INVALID');
    }
    if (now >= sessionDeadline(session, policy)) {
      await this.end({ sessionIds: [session.id] }, 'expired', now);
      throw new RefreshError('SESSION_EXPIRED');
    }
    // Before the rotation: the token stays usable once the address is verified.
    await this.requireVerifiedEmail(session.userId);

    const successor = refreshTokens.successor(presented);
    let rotatedAt = found.rotatedAt;
    let holder: SessionHolder | null;
    if (rotatedAt === null) {
      const rotation = await sessions.rotate(tokenHash, refreshTokens.hash(successor), session.id, now, client);
      if (rotation.outcome === 'ended') throw new RefreshError('REFRESH_TOKEN_INVALID');
      if (rotation.outcome === 'rotated') {
        rotatedAt = now;
        holder = rotation.holder;
      } else {
        // Another request rotated it between our read and our write: answer as its twin.
        found = await sessions.findByTokenHash(tokenHash);
        rotatedAt = found?.rotatedAt ?? null;
        if (!found || rotatedAt === null) throw new RefreshError('REFRESH_TOKEN_INVALID');
        holder = await this.twin(found.session, tokenHash, client);
      }
    } else if (now - rotatedAt > policy.reuseGraceMs) {
      await this.end({ sessionIds: [session.id] }, 'reused', now);
      await this.deps.audit.record(AuditEventType.REFRESH_TOKEN_REUSED, {
        userId: session.userId,
        sessionId: session.id,
        client,
      });
      throw new RefreshError('REFRESH_TOKEN_REUSED');
    } else {
      holder = await this.twin(session, tokenHash, client);
    }

    if (!holder || holder.ended) throw new RefreshError('REFRESH_TOKEN_INVALID');
    const refusal = holderRefusal(holder);
    if (refusal) {
      await this.end({ sessionIds: [session.id] }, refusal, now);
      throw new RefreshError('REFRESH_TOKEN_INVALID');
    }
    // Roles are re-read on every refresh: a role change reaches the client at its next refresh.
    const { user } = holder;
    // Everything below depends only on the presented token and the rotation time, so twins match.
    const rotated = { id: session.id, expiresAt: session.expiresAt, lastUsedAt: new Date(rotatedAt) };
    // The session's last authentication, not a new one: a refresh proves possession of a token, nothing more.
    return this.issue(
      user,
      rotated,
      successor,
      rotatedAt,
      holder.authentication,
      refreshTokens.successorTokenId(presented),
    );
  }

  /**
   * A replay within the grace window gets the same pair as the first caller (tabs racing,
   * a retried request), which a thief holding the same token would get too: replays are
   * recorded, with whether they came from the client that rotated the token, so reuse is
   * visible; the first few per rotation, since a client can replay as often as it likes.
   */
  private async twin(session: SessionRecord, tokenHash: string, client: ClientInfo): Promise<SessionHolder | null> {
    const holder = await this.deps.sessions.holder(session.id);
    if (await this.deps.sessions.claimReplayRecord(tokenHash, REPLAYS_RECORDED_PER_ROTATION)) {
      // The session row carries the client of its last rotation: the first caller's.
      const first = holder?.lastClient;
      await this.deps.audit.record(AuditEventType.REFRESH_TOKEN_REPLAYED, {
        userId: session.userId,
        sessionId: session.id,
        client,
        details: { sameClient: first?.ip === client.ip && first?.userAgent === client.userAgent },
      });
    }
    return holder;
  }

  private issue(
    user: UserRecord,
    session: Pick<SessionRecord, 'id' | 'expiresAt' | 'lastUsedAt'>,
    refreshToken: string,
    issuedAtMs: number,
    authentication: Authentication,
    tokenId?: string,
  ): IssuedSession {
    const deadline = sessionDeadline(session, this.deps.policy);
    const access = this.deps.tokens.issue(
      { id: user.id, roles: user.roles, sessionId: session.id, rolesVersion: user.rolesVersion, authentication },
      {
        notAfter: Math.floor(session.expiresAt.getTime() / 1000),
        ...(tokenId ? { pinned: { issuedAt: issuedAtMs, tokenId } } : {}),
      },
    );
    return {
      sessionId: session.id,
      accessToken: access.token,
      expiresInSeconds: access.expiresIn,
      refreshToken,
      refreshExpiresInSeconds: Math.max(0, Math.floor((deadline - issuedAtMs) / 1000)),
      user,
    };
  }

  /**
   * Records a new authentication in the caller's own session (reauthenticate) and signs an
   * access token that states it; the refresh token is untouched, and its next refresh states
   * it too. Null when the session ended, or the credentials it was opened with (or the one
   * the caller proved) are no longer the user's, or the user was disabled: checked in the
   * same transaction as the write, after every await of the caller's proof.
   */
  async reauthenticated(
    viewer: Viewer,
    credentialsVersion: number,
    authentication: Authentication,
  ): Promise<IssuedAccessToken | null> {
    await this.requireVerifiedEmail(viewer.id);
    const holder = await this.deps.sessions.recordAuthentication(
      viewer.sessionId,
      viewer.id,
      credentialsVersion,
      authentication,
    );
    if (!holder) return null;
    const session = await this.deps.sessions.findById(viewer.sessionId);
    if (!session) return null;
    const { user } = holder;
    return this.deps.tokens.issue(
      { id: user.id, roles: user.roles, sessionId: session.id, rolesVersion: user.rolesVersion, authentication },
      { notAfter: Math.floor(session.expiresAt.getTime() / 1000) },
    );
  }

  /** A session opened before REQUIRE_VERIFIED_EMAIL was turned on goes no further until the address is verified. */
  private async requireVerifiedEmail(userId: string): Promise<void> {
    if (!this.deps.requireVerifiedEmail) return;
    if (!(await this.deps.sessions.isEmailVerified(userId))) throw new EmailNotVerifiedError(userId);
  }

  async logout(viewer: Viewer, client: ClientInfo): Promise<void> {
    const ended = await this.end({ sessionIds: [viewer.sessionId] }, 'logout');
    if (ended.length > 0) {
      await this.deps.audit.record(AuditEventType.LOGGED_OUT, {
        userId: viewer.id,
        sessionId: viewer.sessionId,
        client,
      });
    }
  }

  /** Ends the caller's sessions (all, or all but this one); returns how many were open. */
  async logoutAll(viewer: Viewer, keepCurrent: boolean, client: ClientInfo): Promise<number> {
    const ended = await this.end(
      { userId: viewer.id, ...(keepCurrent ? { exceptSessionId: viewer.sessionId } : {}) },
      'logout_all',
    );
    await this.deps.audit.record(AuditEventType.LOGGED_OUT_EVERYWHERE, {
      userId: viewer.id,
      sessionId: viewer.sessionId,
      client,
      details: { sessionsEnded: ended.length, keptCurrent: keepCurrent },
    });
    return ended.length;
  }

  /** Ends one session of the caller's own, or anyone's for an ADMIN; false when there is no such open session. */
  async revoke(viewer: Viewer, sessionId: string, isAdmin: boolean, client: ClientInfo): Promise<boolean> {
    const session = sessionId.length <= 64 ? await this.deps.sessions.findById(sessionId) : null;
    // Another user's session is answered like a missing one: no telling which ids exist.
    if (!session || (session.userId !== viewer.id && !isAdmin)) return false;
    const ended = await this.end({ sessionIds: [session.id] }, 'revoked');
    if (ended.length === 0) return false;
    await this.deps.audit.record(AuditEventType.SESSION_REVOKED, {
      userId: session.userId,
      actorId: session.userId === viewer.id ? null : viewer.id,
      sessionId: session.id,
      client,
    });
    return true;
  }

  listOpen(userId: string): Promise<SessionRecord[]> {
    return this.deps.sessions.listOpen(userId, this.deps.now(), this.deps.policy.idleTimeoutMs);
  }

  /** Ends sessions and revokes their access tokens everywhere; returns those ended. */
  async end(match: EndSessions, reason: SessionEndReason, now = this.deps.now()): Promise<EndedSession[]> {
    const ended = await this.deps.sessions.end(match, reason, now);
    await this.deps.revocations.sessionsEnded(ended);
    return ended;
  }
}

/** Why an open session may no longer be refreshed, if it may not; the reason is also why it ends. */
function holderRefusal(holder: SessionHolder): SessionEndReason | null {
  if (holder.user.disabled) return 'disabled';
  // A password change (or a disable) since the session was opened: whoever opened it proved old credentials.
  if (holder.credentialsVersion !== holder.user.credentialsVersion) return 'credentials_changed';
  return null;
}
