import type { Kysely, Selectable } from 'kysely';
import type { DialectName } from '../../db/connect';
import type { Database } from '../../db/database';
import type { SessionEndReason, SessionsTable } from './session.tables';
import type { UserRecord } from '../user/user.model';
import { userFromRow } from '../user/user.repository';
import type { ClientInfo } from '../../auth/client-info';
import type { Authentication } from '../../auth/authentication-methods';
import { authenticationFromRow, storedMethods, type SessionRecord } from './session.model';

export interface NewSession {
  readonly id: string;
  readonly userId: string;
  /** The credentials version the caller proved (read before the password was checked). */
  readonly credentialsVersion: number;
  readonly tokenHash: string;
  /** Epoch milliseconds: when it opens. */
  readonly now: number;
  readonly expiresAt: Date;
  readonly client: ClientInfo;
  readonly authentication: Authentication;
}

/**
 * A session's user and the session's own state, read in one statement so the two
 * versions compared are from the same moment.
 */
export interface SessionHolder {
  readonly user: UserRecord;
  /** The credentials version the session was opened with. */
  readonly credentialsVersion: number;
  readonly ended: boolean;
  /** The client of the session's last rotation (or of its login). */
  readonly lastClient: ClientInfo;
  /** The session's last authentication, for the tokens it issues. */
  readonly authentication: Authentication;
}

export type Rotation =
  | { readonly outcome: 'rotated'; readonly holder: SessionHolder }
  | { readonly outcome: 'lost' }
  | { readonly outcome: 'ended' };

/** The most recently used open sessions `mySessions` lists; older ones still exist and can be ended with logoutAll. */
export const MAX_LISTED_SESSIONS = 100;

export interface EndedSession {
  readonly id: string;
  /** Epoch milliseconds, as stored: never earlier than the newest access token the session issued. */
  readonly endedAtMs: number;
}

export interface SessionRevocationState {
  readonly userId: string;
  /** Epoch milliseconds; null while the session is open. */
  readonly endedAtMs: number | null;
  readonly rolesVersion: number;
  readonly rolesChangedAtMs: number | null;
}

export interface PresentedToken {
  readonly rotatedAt: number | null;
  readonly session: SessionRecord;
}

export interface EndSessions {
  readonly userId?: string;
  readonly sessionIds?: readonly string[];
  readonly exceptSessionId?: string;
}

export class SessionRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  /**
   * Opens a session only if the user is still enabled with the credentials the caller
   * proved, and returns the user as of that moment (the roles to sign). The user row is
   * share-locked on PostgreSQL, so a password change or disable either commits first
   * (and this refuses) or waits until this session exists (and then ends it).
   * SQLite runs one write transaction at a time. Null when refused.
   */
  async create(session: NewSession): Promise<UserRecord | null> {
    return this.db.transaction().execute(async (trx) => {
      let query = trx.selectFrom('users').selectAll().where('id', '=', session.userId);
      if (this.dialect === 'postgres') query = query.forShare();
      const row = await query.executeTakeFirst();
      if (!row || row.disabled !== 0 || Number(row.credentials_version) !== session.credentialsVersion) return null;
      await trx
        .insertInto('sessions')
        .values({
          id: session.id,
          user_id: session.userId,
          created_at: session.now,
          last_used_at: session.now,
          expires_at: session.expiresAt.getTime(),
          ended_at: null,
          end_reason: null,
          user_agent: session.client.userAgent,
          ip: session.client.ip,
          credentials_version: session.credentialsVersion,
          amr: storedMethods(session.authentication),
          authenticated_at: session.authentication.at,
        })
        .execute();
      await trx
        .insertInto('refresh_tokens')
        .values({ token_hash: session.tokenHash, session_id: session.id, created_at: session.now, rotated_at: null })
        .execute();
      return userFromRow(row);
    });
  }

  /** Whether the user's current address is verified (false for no such user). */
  async isEmailVerified(userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('users')
      .select('email_verified_at')
      .where('id', '=', userId)
      .executeTakeFirst();
    return row?.email_verified_at !== null && row?.email_verified_at !== undefined;
  }

  async findByTokenHash(tokenHash: string): Promise<PresentedToken | null> {
    const row = await this.db
      .selectFrom('refresh_tokens')
      .innerJoin('sessions', 'sessions.id', 'refresh_tokens.session_id')
      .selectAll('sessions')
      .select('refresh_tokens.rotated_at')
      .where('refresh_tokens.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row) return null;
    const { rotated_at, ...session } = row;
    return { rotatedAt: rotated_at === null ? null : Number(rotated_at), session: toRecord(session) };
  }

  /**
   * Exchanges `tokenHash` for `nextHash` if, and only if, it is still the newest
   * token of a session that has not ended. The conditional updates are the arbiter
   * between concurrent refreshes (in one process or many): exactly one wins and writes
   * one new row. The session row is updated first, so on PostgreSQL a rotation and an
   * end of the same session are serialised by its row lock: an end that commits first
   * makes the rotation fail, and one that commits after sees the new `last_used_at`.
   */
  async rotate(
    tokenHash: string,
    nextHash: string,
    sessionId: string,
    now: number,
    client: ClientInfo,
  ): Promise<Rotation> {
    try {
      return await this.db.transaction().execute(async (trx): Promise<Rotation> => {
        const open = await trx
          .updateTable('sessions')
          .set({ last_used_at: now, ip: client.ip, user_agent: client.userAgent })
          .where('id', '=', sessionId)
          .where('ended_at', 'is', null)
          .executeTakeFirst();
        if (Number(open.numUpdatedRows) !== 1) return { outcome: 'ended' };
        const claimed = await trx
          .updateTable('refresh_tokens')
          .set({ rotated_at: now })
          .where('token_hash', '=', tokenHash)
          .where('rotated_at', 'is', null)
          .executeTakeFirst();
        // Thrown to roll back the session update made above.
        if (Number(claimed.numUpdatedRows) !== 1) throw LOST;
        await trx
          .insertInto('refresh_tokens')
          .values({ token_hash: nextHash, session_id: sessionId, created_at: now, rotated_at: null })
          .execute();
        // Read with the session row locked: a password change keeping this session waits for us.
        const holder = await holderOf(trx, sessionId);
        if (!holder) throw new Error(`session ${sessionId} vanished while it was being rotated`);
        return { outcome: 'rotated', holder };
      });
    } catch (error) {
      if (error === LOST) return { outcome: 'lost' };
      throw error;
    }
  }

  /**
   * Claims one of the first `limit` audit records of a rotated token's replays: one
   * conditional update, so concurrent replays (on any instance) cannot all pass the count.
   */
  async claimReplayRecord(tokenHash: string, limit: number): Promise<boolean> {
    const claimed = await this.db
      .updateTable('refresh_tokens')
      .set((eb) => ({ replays_recorded: eb('replays_recorded', '+', 1) }))
      .where('token_hash', '=', tokenHash)
      .where('replays_recorded', '<', limit)
      .executeTakeFirst();
    return Number(claimed.numUpdatedRows) === 1;
  }

  /**
   * Records a new authentication in an open session whose credentials are still the user's
   * and whose user is enabled (reauthenticate): its next tokens, refreshes included, state it.
   * Returns the session's holder as of that write, or null when the session cannot take it.
   */
  async recordAuthentication(
    sessionId: string,
    userId: string,
    credentialsVersion: number,
    authentication: Authentication,
  ): Promise<SessionHolder | null> {
    return this.db
      .transaction()
      .execute(async (trx) => {
        const updated = await trx
          .updateTable('sessions')
          .set({ amr: storedMethods(authentication), authenticated_at: authentication.at })
          .where('id', '=', sessionId)
          .where('user_id', '=', userId)
          .where('ended_at', 'is', null)
          .where('credentials_version', '=', credentialsVersion)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) return null;
        const holder = await holderOf(trx, sessionId);
        // Read under the session row's lock: a disable or password change that committed first is seen here.
        if (!holder || holder.user.disabled || holder.user.credentialsVersion !== credentialsVersion) {
          throw REFUSED;
        }
        return holder;
      })
      .catch((error: unknown) => {
        if (error === REFUSED) return null;
        throw error;
      });
  }

  /** The session's user and state in one read; null when the session is gone. */
  holder(sessionId: string): Promise<SessionHolder | null> {
    return holderOf(this.db, sessionId);
  }

  /**
   * Ends the open sessions that match; returns those it ended (none twice, even under
   * races). `ended_at` is never set before `last_used_at`, so a token minted by a
   * rotation that committed just before the end is still covered by the revocation.
   */
  async end(match: EndSessions, reason: SessionEndReason, now: number): Promise<EndedSession[]> {
    if (match.sessionIds?.length === 0) return [];
    let query = this.db
      .updateTable('sessions')
      .set((eb) => ({
        ended_at: eb.case().when('last_used_at', '>', now).then(eb.ref('last_used_at')).else(now).end(),
        end_reason: reason,
      }))
      .where('ended_at', 'is', null);
    if (match.userId !== undefined) query = query.where('user_id', '=', match.userId);
    if (match.sessionIds !== undefined) query = query.where('id', 'in', [...match.sessionIds]);
    if (match.exceptSessionId !== undefined) query = query.where('id', '!=', match.exceptSessionId);
    const rows = await query.returning(['id', 'ended_at']).execute();
    return rows.map((row) => ({ id: row.id, endedAtMs: Number(row.ended_at) }));
  }

  async findById(id: string): Promise<SessionRecord | null> {
    const row = await this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  /** Sessions not ended and not past their absolute or idle end, newest first. */
  async listOpen(userId: string, now: number, idleTimeout: number): Promise<SessionRecord[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('ended_at', 'is', null)
      .where('expires_at', '>', now)
      .where('last_used_at', '>', now - idleTimeout)
      .orderBy('last_used_at', 'desc')
      .orderBy('id')
      // Every login opens a session: a script logging in all day must not make this answer grow without end.
      .limit(MAX_LISTED_SESSIONS)
      .execute();
    return rows.map(toRecord);
  }

  /**
   * Deletes sessions that ended, or reached their absolute end, before `cutoff`, with
   * their refresh-token rows (ON DELETE CASCADE). Returns how many sessions went.
   */
  async purgeEndedBefore(cutoff: number): Promise<number> {
    const result = await this.db
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('ended_at', '<', cutoff), eb('expires_at', '<', cutoff)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * One session's end and its user's roles version, read together: what decides a token
   * while the revocation list is in doubt. One primary-key lookup and a join.
   */
  async revocationState(sessionId: string): Promise<SessionRevocationState | null> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['sessions.user_id', 'sessions.ended_at', 'users.roles_version', 'users.roles_changed_at'])
      .where('sessions.id', '=', sessionId)
      .executeTakeFirst();
    if (!row) return null;
    return {
      userId: row.user_id,
      endedAtMs: row.ended_at === null ? null : Number(row.ended_at),
      rolesVersion: Number(row.roles_version),
      rolesChangedAtMs: row.roles_changed_at === null ? null : Number(row.roles_changed_at),
    };
  }

  /** Sessions ended since `since`, oldest first: what a starting instance must remember. */
  async endedSince(since: number): Promise<EndedSession[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .select(['id', 'ended_at'])
      .where('ended_at', '>', since)
      .orderBy('ended_at')
      .execute();
    return rows.map((row) => ({ id: row.id, endedAtMs: Number(row.ended_at) }));
  }
}

const LOST = Symbol('another refresh rotated this token first');
const REFUSED = Symbol('the session cannot take a new authentication');

async function holderOf(db: Kysely<Database>, sessionId: string): Promise<SessionHolder | null> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select([
      'sessions.credentials_version as session_credentials_version',
      'sessions.ended_at as session_ended_at',
      'sessions.ip as session_ip',
      'sessions.user_agent as session_user_agent',
      'sessions.amr as session_amr',
      'sessions.authenticated_at as session_authenticated_at',
    ])
    .where('sessions.id', '=', sessionId)
    .executeTakeFirst();
  if (!row) return null;
  const {
    session_credentials_version,
    session_ended_at,
    session_ip,
    session_user_agent,
    session_amr,
    session_authenticated_at,
    ...user
  } = row;
  return {
    user: userFromRow(user),
    credentialsVersion: Number(session_credentials_version),
    ended: session_ended_at !== null,
    lastClient: { ip: session_ip, userAgent: session_user_agent },
    authentication: authenticationFromRow(session_amr, session_authenticated_at),
  };
}

function toRecord(row: Selectable<SessionsTable>): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: new Date(Number(row.created_at)),
    lastUsedAt: new Date(Number(row.last_used_at)),
    expiresAt: new Date(Number(row.expires_at)),
    endedAt: row.ended_at === null ? null : new Date(Number(row.ended_at)),
    endReason: row.end_reason,
    userAgent: row.user_agent,
    ip: row.ip,
    credentialsVersion: Number(row.credentials_version),
    authentication: authenticationFromRow(row.amr, row.authenticated_at),
  };
}
