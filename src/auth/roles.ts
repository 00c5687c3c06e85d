import { registerEnumType } from 'type-graphql';

/**
 * The one declaration of roles. Everything else derives from it: the GraphQL
 * `Role` enum and the `AuthRule` values of @auth, the hierarchy, the stored
 * bit mask, the CLI's usage text. `rank` orders the hierarchy (a role includes
 * every role of a lower rank); `bit` is the role's bit in `users.role_mask` and
 * must never change once stored. Add a role with a new rank and a new bit.
 */
const ROLE_DECLARATIONS = {
  USER: { rank: 1, bit: 1 },
  EDITOR: { rank: 2, bit: 2 },
  ADMIN: { rank: 3, bit: 4 },
} as const satisfies Record<string, { rank: number; bit: number }>;

export type Role = keyof typeof ROLE_DECLARATIONS;

/** The roles as an enum-like object: `Role.ADMIN === 'ADMIN'`. */
export const Role = Object.freeze(
  Object.fromEntries(Object.keys(ROLE_DECLARATIONS).map((name) => [name, name])) as { readonly [R in Role]: R },
);

/** Every role, lowest rank first. */
export const ALL_ROLES: readonly Role[] = Object.freeze(
  (Object.keys(ROLE_DECLARATIONS) as Role[]).sort((a, b) => ROLE_DECLARATIONS[a].rank - ROLE_DECLARATIONS[b].rank),
);

const [highest, ...lower] = [...ALL_ROLES].reverse();
registerEnumType(Role, {
  name: 'Role',
  // "ADMIN includes EDITOR, which includes USER."
  description: `What a user may do. ${[`${highest} includes ${lower[0]}`, ...lower.slice(1)].join(', which includes ')}.`,
});

/** What the @auth rule naming `role` asks for: "Holds EDITOR or ADMIN." */
export function roleDescription(role: Role): string {
  const above = ALL_ROLES.filter((other) => ROLE_DECLARATIONS[other].rank > ROLE_DECLARATIONS[role].rank);
  if (above.length === 0) return `Holds ${role}.`;
  return `Holds ${role} or ${above.length === 1 ? above[0] : 'a role above it'}.`;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ROLE_DECLARATIONS, value);
}

/** True when any held role is `required` or above it in the hierarchy. */
export function satisfiesRole(held: readonly Role[], required: Role): boolean {
  const needed = ROLE_DECLARATIONS[required].rank;
  return held.some((role) => ROLE_DECLARATIONS[role].rank >= needed);
}

/** A stored or claimed role list, checked strictly: anything unknown makes the whole list invalid. */
export function parseRoles(value: unknown): Role[] | null {
  if (!Array.isArray(value) || value.length === 0 || value.length > ALL_ROLES.length) return null;
  if (!value.every(isRole)) return null;
  return [...new Set(value)];
}

/**
 * Roles as stored: one bit each, so "is an ADMIN" is an exact test of one bit in
 * SQL (`role_mask & 4`), never a substring match a role named SUBADMIN could pass.
 */
export function roleMask(roles: readonly Role[]): number {
  return roles.reduce((mask, role) => mask | ROLE_DECLARATIONS[role].bit, 0);
}

export function roleBit(role: Role): number {
  return ROLE_DECLARATIONS[role].bit;
}

/** The roles of a stored mask, lowest rank first; null when it holds a bit no role has. */
export function rolesFromMask(mask: number): Role[] | null {
  const roles = ALL_ROLES.filter((role) => (mask & ROLE_DECLARATIONS[role].bit) !== 0);
  return roles.length > 0 && roleMask(roles) === mask ? roles : null;
}
