import type { Role } from '../generated/graphql';

/** Roles are hierarchical (ADMIN ⊃ EDITOR ⊃ USER): one choice says all of a user's rights. */
export const ROLE_CHOICES: readonly { readonly role: Role; readonly label: string }[] = [
  { role: 'USER', label: 'User' },
  { role: 'EDITOR', label: 'Editor' },
  { role: 'ADMIN', label: 'Admin' },
];

const RANK: Record<Role, number> = { USER: 0, EDITOR: 1, ADMIN: 2 };

export function highestRole(roles: readonly Role[] | null | undefined): Role {
  return (roles ?? []).reduce<Role>((best, role) => (RANK[role] > RANK[best] ? role : best), 'USER');
}
