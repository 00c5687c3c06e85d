import { satisfiesRole, type Role } from './roles';
import type { AuthRule } from './policies';
import type { Viewer } from './tokens';

export type AccessDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly code: 'UNAUTHENTICATED' | 'FORBIDDEN'; readonly requires: readonly AuthRule[] };

const ALLOWED: AccessDecision = Object.freeze({ allowed: true });

// Objects the server itself vouches are the caller: the user in a login or sign-up answer,
// whose request has no token yet because it is the one proving who they are.
const issuedToCaller = new WeakSet<object>();

export function markAsCaller<T extends object>(user: T): T {
  issuedToCaller.add(user);
  return user;
}

/** The parent is the signed-in user (a User), or belongs to them (an object with their `userId`, like a Session). */
function isSelf(viewer: Viewer | null, parent: unknown): boolean {
  if (typeof parent !== 'object' || parent === null) return false;
  if (issuedToCaller.has(parent)) return true;
  if (viewer === null) return false;
  const { id, userId } = parent as { id?: unknown; userId?: unknown };
  return userId !== undefined ? userId === viewer.id : id === viewer.id;
}

/** Pure: may `viewer` read a field guarded by `rules` on `parent`? Any one rule suffices. */
export function decideAccess(viewer: Viewer | null, rules: readonly AuthRule[], parent: unknown): AccessDecision {
  for (const rule of rules) {
    switch (rule) {
      case 'SIGNED_IN':
        if (viewer) return ALLOWED;
        break;
      case 'SELF':
        if (isSelf(viewer, parent)) return ALLOWED;
        break;
      default:
        if (viewer && satisfiesRole(viewer.roles, rule as Role)) return ALLOWED;
    }
  }
  return { allowed: false, code: viewer ? 'FORBIDDEN' : 'UNAUTHENTICATED', requires: rules };
}
