import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../db/database';
import type { AuditEventsTable } from './audit.tables';
import type { AuditCursor, AuditEventRecord, AuditEventType } from './audit.model';

export interface AuditPage {
  readonly events: readonly AuditEventRecord[];
  readonly hasNextPage: boolean;
}

export class AuditRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(event: AuditEventRecord): Promise<void> {
    await this.db
      .insertInto('audit_events')
      .values({
        id: event.id,
        at: event.at.getTime(),
        type: event.type,
        user_id: event.userId,
        actor_id: event.actorId,
        session_id: event.sessionId,
        ip: event.ip,
        user_agent: event.userAgent,
        details: event.details,
      })
      .execute();
  }

  /** Newest first; `before` is the (at, id) of the last event of the previous page. */
  async list(limit: number, before: AuditCursor | null, userId: string | null): Promise<AuditPage> {
    let query = this.db.selectFrom('audit_events').selectAll();
    if (userId !== null) query = query.where('user_id', '=', userId);
    if (before) {
      query = query.where((eb) =>
        eb.or([eb('at', '<', before.time), eb.and([eb('at', '=', before.time), eb('id', '<', before.id)])]),
      );
    }
    const rows = await query
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    return { events: rows.slice(0, limit).map(toRecord), hasNextPage: rows.length > limit };
  }
}

function toRecord(row: Selectable<AuditEventsTable>): AuditEventRecord {
  return {
    id: row.id,
    at: new Date(Number(row.at)),
    type: row.type as AuditEventType,
    userId: row.user_id,
    actorId: row.actor_id,
    sessionId: row.session_id,
    ip: row.ip,
    userAgent: row.user_agent,
    details: row.details,
  };
}
