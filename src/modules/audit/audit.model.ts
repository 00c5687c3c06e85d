import { registerEnumType } from 'type-graphql';

export enum AuditEventType {
  SIGNED_UP = 'SIGNED_UP',
  LOGIN_SUCCEEDED = 'LOGIN_SUCCEEDED',
  LOGIN_FAILED = 'LOGIN_FAILED',
  REFRESH_TOKEN_REUSED = 'REFRESH_TOKEN_REUSED',
  REFRESH_TOKEN_REPLAYED = 'REFRESH_TOKEN_REPLAYED',
  LOGGED_OUT = 'LOGGED_OUT',
  LOGGED_OUT_EVERYWHERE = 'LOGGED_OUT_EVERYWHERE',
  SESSION_REVOKED = 'SESSION_REVOKED',
  PASSWORD_CHANGED = 'PASSWORD_CHANGED',
  PASSWORD_CHANGE_FAILED = 'PASSWORD_CHANGE_FAILED',
  ROLES_CHANGED = 'ROLES_CHANGED',
  USER_DISABLED = 'USER_DISABLED',
  USER_ENABLED = 'USER_ENABLED',
}

registerEnumType(AuditEventType, { name: 'AuditEventType', description: 'What an audit event records.' });

export interface AuditEventRecord {
  readonly id: string;
  readonly at: Date;
  readonly type: AuditEventType;
  readonly userId: string | null;
  readonly actorId: string | null;
  readonly sessionId: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  /** A small JSON object: role lists, an account's email. Never a password, a token or an unknown email. */
  readonly details: string | null;
}

export type { KeysetPosition as AuditCursor } from '../../db/keyset';
