import { registerEnumType } from 'type-graphql';

export enum Role {
  USER = 'USER',
  EDITOR = 'EDITOR',
  ADMIN = 'ADMIN',
}

registerEnumType(Role, {
  name: 'Role',
  description: 'What a user may do. ADMIN includes EDITOR, which includes USER.',
});

const RANK: Readonly<Record<Role, number>> = { USER: 1, EDITOR: 2, ADMIN: 3 };

export const ALL_ROLES: readonly Role[] = [Role.USER, Role.EDITOR, Role.ADMIN];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(RANK, value);
}

/** True when any held role is `required` or above it in the hierarchy. */
export function satisfiesRole(held: readonly Role[], required: Role): boolean {
  const needed = RANK[required];
  return held.some((role) => RANK[role] >= needed);
}

/** A stored or claimed role list, checked strictly: anything unknown makes the whole list invalid. */
export function parseRoles(value: unknown): Role[] | null {
  if (!Array.isArray(value) || value.length === 0 || value.length > ALL_ROLES.length) return null;
  if (!value.every(isRole)) return null;
  return [...new Set(value)];
}
