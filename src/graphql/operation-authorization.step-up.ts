import { meetsRecentAuth } from '../auth/step-up';
import type { Viewer } from '../auth/tokens';
import type { DeniedField, OperationAuthorization, OperationVerdict, RecentAuthField } from './operation-authorization';

/**
 * The step-ups of an operation, decided for this request's token at this instant. They
 * depend on the token's `auth_time` and `amr` and on the clock, which the cached walk
 * (keyed by role set) must not know, so each request decides them here: one
 * meetsRecentAuth per step-up field the operation asks for, none for the others.
 *
 * As at execution (enforce-policies.ts), the policy comes first: a field the role set may
 * not read is already denied by the walk, and this only sees fields it may read. A caller
 * without a token is told to sign in (UNAUTHENTICATED with the policy's rules); a signed-in
 * one whose token is too old or proves too few factors gets FORBIDDEN / STEP_UP_REQUIRED.
 * An owner-dependent field is denied too when the token falls short: at execution its
 * owner would get STEP_UP_REQUIRED and anyone else FORBIDDEN, so it cannot run either way.
 */
export function decideRecentAuth(
  answer: OperationAuthorization,
  viewer: Viewer | null,
  nowMs: number,
): OperationVerdict {
  if (answer.recentAuth.length === 0) return answer;
  const refused = answer.recentAuth.filter((field) => !viewer || !meetsRecentAuth(viewer, field.requirement, nowMs));
  if (refused.length === 0) return answer;

  const denied: DeniedField[] = [];
  let next = 0;
  const takeUpTo = (count: number) => {
    for (; next < refused.length && refused[next]!.deniedBefore <= count; next++) {
      denied.push(denialOf(refused[next]!, viewer));
    }
  };
  answer.denied.forEach((field, i) => {
    takeUpTo(i);
    denied.push(field);
  });
  takeUpTo(Infinity);

  // Execution never reaches below a refused field: what lies there is not reported, as for a denied one.
  const refusedKeys = new Set(refused.map((field) => field.path.join('.')));
  const reachable = ({ path }: { readonly path: readonly string[] }) => {
    for (let length = path.length - 1; length > 0; length--) {
      if (refusedKeys.has(path.slice(0, length).join('.'))) return false;
    }
    return true;
  };
  return {
    denied: denied.filter(reachable),
    dependsOnOwner: answer.dependsOnOwner.filter((field) => reachable(field) && !refusedKeys.has(field.path.join('.'))),
  };
}

function denialOf(field: RecentAuthField, viewer: Viewer | null): DeniedField {
  const { path, requires, locations, requirement } = field;
  if (!viewer) return { path, code: 'UNAUTHENTICATED', requires, locations };
  return { path, code: 'FORBIDDEN', requires, locations, stepUp: requirement };
}
