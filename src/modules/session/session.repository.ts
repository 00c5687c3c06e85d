import type { Kysely, Selectable } from 'kysely';
import type { Database, SessionEndReason, SessionsTable } from '../../db/database';
import type { ClientInfo, SessionRecord } from './session.model';

export interface NewSession {
  readonly id: string;
  readonly userId: string;
  readonly tokenHash: string;
  readonly now: number;
  readonly expiresAt: number;
  readonly client: ClientInfo;
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
  constructor(private readonly db: Kysely<Database>) {}

  async create(session: NewSession): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('sessions')
        .values({
          id: session.id,
          user_id: session.userId,
          created_at: session.now,
          last_used_at: session.now,
          expires_at: session.expiresAt,
          ended_at: null,
          end_reason: null,
          user_agent: session.client.userAgent,
          ip: session.client.ip,
        })
        .execute();
      await trx
        .insertInto('refresh_tokens')
        .values({ token_hash: session.tokenHash, session_id: session.id, created_at: session.now, rotated_at: null })
        .execute();
    });
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
   * token of its session. The conditional update is the arbiter between concurrent
   * refreshes (in one process or many): exactly one wins and writes one new row.
   */
  async rotate(
    tokenHash: string,
    nextHash: string,
    sessionId: string,
    now: number,
    client: ClientInfo,
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const claimed = await trx
        .updateTable('refresh_tokens')
        .set({ rotated_at: now })
        .where('token_hash', '=', tokenHash)
        .where('rotated_at', 'is', null)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) return false;
      await trx
        .insertInto('refresh_tokens')
        .values({ token_hash: nextHash, session_id: sessionId, created_at: now, rotated_at: null })
        .execute();
      await trx
        .updateTable('sessions')
        .set({ last_used_at: now, ip: client.ip, user_agent: client.userAgent })
        .where('id', '=', sessionId)
        .execute();
      return true;
    });
  }

  /** Ends the open sessions that match; returns the ids it ended (none twice, even under races). */
  async end(match: EndSessions, reason: SessionEndReason, now: number): Promise<string[]> {
    if (match.sessionIds?.length === 0) return [];
    let query = this.db
      .updateTable('sessions')
      .set({ ended_at: now, end_reason: reason })
      .where('ended_at', 'is', null);
    if (match.userId !== undefined) query = query.where('user_id', '=', match.userId);
    if (match.sessionIds !== undefined) query = query.where('id', 'in', [...match.sessionIds]);
    if (match.exceptSessionId !== undefined) query = query.where('id', '!=', match.exceptSessionId);
    const rows = await query.returning('id').execute();
    return rows.map((row) => row.id);
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

  /** Sessions ended since `since`, oldest first: what a starting instance must remember. */
  async endedSince(since: number): Promise<Array<{ id: string; endedAt: number }>> {
    const rows = await this.db
      .selectFrom('sessions')
      .select(['id', 'ended_at'])
      .where('ended_at', '>', since)
      .orderBy('ended_at')
      .execute();
    return rows.map((row) => ({ id: row.id, endedAt: Number(row.ended_at) }));
  }
}

function toRecord(row: Selectable<SessionsTable>): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: Number(row.created_at),
    lastUsedAt: Number(row.last_used_at),
    expiresAt: Number(row.expires_at),
    endedAt: row.ended_at === null ? null : Number(row.ended_at),
    endReason: row.end_reason,
    userAgent: row.user_agent,
    ip: row.ip,
  };
}
