import { InvalidInputError } from '../../errors';
import type { UserCursor, UserRecord } from './user.model';

// Opaque to clients so the ordering key can change without breaking them.
export function encodeUserCursor(user: Pick<UserRecord, 'createdAt' | 'id'>): string {
  return Buffer.from(`${user.createdAt.getTime()}:${user.id}`, 'utf8').toString('base64url');
}

const CURSOR_SHAPE = /^(\d{1,15}):([0-9a-f-]{36})$/;

export function decodeUserCursor(cursor: string, field = 'after'): UserCursor {
  const match = cursor.length <= 128 ? CURSOR_SHAPE.exec(Buffer.from(cursor, 'base64url').toString('utf8')) : null;
  if (!match) throw new InvalidInputError(field, 'The cursor is not one this API issued.');
  return { createdAt: Number(match[1]), id: match[2]! };
}
