import type { AuthRule, OwnerOf } from './policies';
import { satisfiesRole, type Role } from './roles';
import type { Viewer } from './tokens';

export type AccessDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly code: 'UNAUTHENTICATED' | 'FORBIDDEN'; readonly requires: readonly AuthRule[] };

const ALLOWED: AccessDecision = Object.freeze({ allowed: true });

/**
 * Set by the server on the user object of a login, sign-up or refresh answer: that request
 * carries no token yet, being the one that proves who the caller is. A symbol, so no data
 * read from the database or sent by a client can carry it.
 */
export const ISSUED_TO_CALLER = Symbol('issued to the caller');

/** The user object of an answer that has just proven the caller is this user. */
export function issuedToCaller<T extends { readonly id: string }>(user: T): T & { [ISSUED_TO_CALLER]: string } {
  return { ...user, [ISSUED_TO_CALLER]: user.id };
}

/** Whether the caller (the viewer, or the identity this answer has just issued) owns `parent`. */
function isOwner(viewer: Viewer | null, parent: unknown, owner: OwnerOf<object> | undefined): boolean {
  if (!owner || typeof parent !== 'object' || parent === null) return false;
  const ownerId = owner(parent);
  if (typeof ownerId !== 'string') return false;
  return ownerId === viewer?.id || ownerId === (parent as { [ISSUED_TO_CALLER]?: unknown })[ISSUED_TO_CALLER];
}

/**
 * Pure: may `viewer` read a field guarded by `rules` on `parent`, whose type names its
 * owner with `owner`? Any one rule suffices.
 */
export function decideAccess(
  viewer: Viewer | null,
  rules: readonly AuthRule[],
  parent: unknown,
  owner?: OwnerOf<object>,
): AccessDecision {
  for (const rule of rules) {
    switch (rule) {
      case 'SIGNED_IN':
        if (viewer) return ALLOWED;
        break;
      case 'SELF':
        if (isOwner(viewer, parent, owner)) return ALLOWED;
        break;
      default:
        if (viewer && satisfiesRole(viewer.roles, rule as Role)) return ALLOWED;
    }
  }
  return { allowed: false, code: viewer ? 'FORBIDDEN' : 'UNAUTHENTICATED', requires: rules };
}
