import {
  fieldPolicies,
  roles,
  type AuthRule,
  type FieldCoordinate,
  type FieldPolicy,
  type Role,
} from '../generated/policies';
import type { Viewer } from '../session-state';

/** Who owns the parent object of the field, for `SELF` rules (a User owns itself; a Session is its user's). */
export interface OwnershipContext {
  readonly ownerId?: string | null;
}

type ViewerRoles = Pick<Viewer, 'id' | 'roles'>;

const rank = (role: string): number => (roles as readonly string[]).indexOf(role);

function holdsRole(viewer: ViewerRoles, required: Role): boolean {
  return viewer.roles.some((role) => rank(role) >= rank(required));
}

function satisfies(viewer: ViewerRoles | null, rule: AuthRule, context: OwnershipContext | undefined): boolean {
  if (!viewer) return false;
  switch (rule) {
    case 'SIGNED_IN':
      return true;
    case 'SELF':
      return typeof context?.ownerId === 'string' && context.ownerId === viewer.id;
    default:
      return holdsRole(viewer, rule);
  }
}

/** The policy of one field, as the schema declares it; undefined for a coordinate the schema lacks. */
export function policyOf(coordinate: FieldCoordinate): FieldPolicy | undefined {
  // Own properties only: a coordinate such as "constructor" from untyped code is no policy.
  return Object.prototype.hasOwnProperty.call(fieldPolicies, coordinate) ? fieldPolicies[coordinate] : undefined;
}

/**
 * Whether the server would let `viewer` read `coordinate`, so a UI can hide what it would be
 * refused. Mirrors src/auth/access.ts: any one rule suffices; `SELF` needs `context.ownerId`
 * (unknown owner: not the owner); roles include those below them. Advisory only: the server
 * decides every request.
 */
export function can(viewer: ViewerRoles | null, coordinate: FieldCoordinate, context?: OwnershipContext): boolean {
  const policy = policyOf(coordinate);
  // Untyped callers can pass anything: what the schema does not declare, the UI does not show.
  if (policy === undefined) return false;
  if (policy === 'public') return true;
  return policy.some((rule) => satisfies(viewer, rule, context));
}
