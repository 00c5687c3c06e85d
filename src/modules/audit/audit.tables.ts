export interface AuditEventsTable {
  id: string;
  at: number;
  type: string;
  /** Whom the event is about. */
  user_id: string | null;
  /** Who caused it, when that is someone else (an ADMIN). */
  actor_id: string | null;
  session_id: string | null;
  ip: string | null;
  user_agent: string | null;
  /** Small JSON object; never a password, a token, or an email that belongs to no account. */
  details: string | null;
}

declare module '../../db/database' {
  interface Database {
    audit_events: AuditEventsTable;
  }
}
