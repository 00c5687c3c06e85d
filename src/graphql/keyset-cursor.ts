import type { KeysetPosition } from '../db/keyset';
import { InvalidInputError } from '../errors/domain-errors';

// Opaque to clients so the ordering key can change without breaking them.
export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(`${position.time}:${position.id}`, 'utf8').toString('base64url');
}

const CURSOR_SHAPE = /^(\d{1,15}):([0-9a-f-]{36})$/;

export function decodeCursor(cursor: string, field = 'after'): KeysetPosition {
  const match = cursor.length <= 128 ? CURSOR_SHAPE.exec(Buffer.from(cursor, 'base64url').toString('utf8')) : null;
  if (!match) throw new InvalidInputError(field, 'The cursor is not one this API issued.');
  return { time: Number(match[1]), id: match[2]! };
}
