import { randomUUID } from 'node:crypto';
import type { ClientInfo } from '../../auth/client-info';
import type { AuditEventType } from './audit.model';
import type { AuditRepository } from './audit.repository';

export interface AuditEntry {
  readonly userId?: string | null;
  readonly actorId?: string | null;
  readonly sessionId?: string | null;
  readonly client?: ClientInfo;
  /** Only facts safe to show an ADMIN: ids, role names, an account's email, keyed hashes. */
  readonly details?: Record<string, string | number | boolean | readonly string[]>;
}

/** Records security events. Callers never pass secrets; details are a closed, small object. */
export class AuditLog {
  constructor(
    private readonly events: AuditRepository,
    private readonly now: () => number,
  ) {}

  async record(type: AuditEventType, entry: AuditEntry = {}): Promise<void> {
    await this.events.insert({
      id: randomUUID(),
      at: new Date(this.now()),
      type,
      userId: entry.userId ?? null,
      actorId: entry.actorId ?? null,
      sessionId: entry.sessionId ?? null,
      ip: entry.client?.ip ?? null,
      userAgent: entry.client?.userAgent ?? null,
      details: entry.details ? JSON.stringify(entry.details) : null,
    });
  }
}
