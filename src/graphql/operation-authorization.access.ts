import {
  isAbstractType,
  isObjectType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { decideAccess } from '../auth/access';
import type { AuthRule, Policy } from '../auth/policies';
import type { RecentAuthRequirement } from '../auth/step-up';
import type { Viewer } from '../auth/tokens';
import { fieldsWithPolicies, recentAuthOf } from './directives';

// A field's policy decided before its parent object exists: the unit of the operation walk
// (operation-authorization.ts), which explains what "depends on the owner" means for it.

/**
 * What the walk decides for one field, before any object exists. An allowed or
 * owner-dependent field may still ask for a recent authentication (@recentAuth): that part
 * depends on the token's age and factors, not on the role set, so it is carried along for
 * each request to decide (operation-authorization.step-up.ts), never decided here.
 */
export type StaticAccess =
  | { readonly kind: 'allowed'; readonly recentAuth?: StepUp }
  | { readonly kind: 'denied'; readonly code: 'UNAUTHENTICATED' | 'FORBIDDEN'; readonly requires: readonly AuthRule[] }
  | { readonly kind: 'dependsOnOwner'; readonly requires: readonly AuthRule[]; readonly recentAuth?: StepUp };

/** A step-up a field asks for, with the policy it sits on (what a caller without a token is told it needs first). */
export interface StepUp {
  readonly requirement: RecentAuthRequirement;
  readonly requires: readonly AuthRule[];
}

const ALLOWED: StaticAccess = Object.freeze({ kind: 'allowed' });

/**
 * A field's policy for `viewer`, decided without its parent object. decideAccess with no
 * parent can never match SELF, so its answer is what the other rules allow; when they do
 * not and SELF is listed, only the object can tell.
 */
export function decideStatically(viewer: Viewer | null, policy: Policy | undefined): StaticAccess {
  // No policy: the runtime enforces nothing either (and the schema test fails such a field).
  if (!policy || policy.kind === 'public') return ALLOWED;
  const decision = decideAccess(viewer, policy.anyOf, undefined);
  if (decision.allowed) return ALLOWED;
  if (policy.anyOf.includes('SELF')) return { kind: 'dependsOnOwner', requires: policy.anyOf };
  return { kind: 'denied', code: decision.code, requires: decision.requires };
}

/** What a field declares: its policy, and the step-up it asks for on top (@recentAuth). */
export interface FieldRules {
  readonly policy: Policy | undefined;
  readonly recentAuth: RecentAuthRequirement | undefined;
}

export type PolicyIndex = ReadonlyMap<GraphQLObjectType, ReadonlyMap<string, FieldRules>>;
const policyIndexes = new WeakMap<GraphQLSchema, PolicyIndex>();

/** The policy of every field of every object type, read once per schema. */
export function policyIndex(schema: GraphQLSchema): PolicyIndex {
  let index = policyIndexes.get(schema);
  if (!index) {
    const built = new Map<GraphQLObjectType, Map<string, FieldRules>>();
    for (const { type, field, policy } of fieldsWithPolicies(schema)) {
      let fields = built.get(type);
      if (!fields) built.set(type, (fields = new Map()));
      fields.set(field.name, { policy, recentAuth: recentAuthOf(field) });
    }
    policyIndexes.set(schema, (index = built));
  }
  return index;
}

/** A field's static access with the step-up it declares, if any, attached. */
function withRecentAuth(access: StaticAccess, recentAuth: StepUp | undefined): StaticAccess {
  if (!recentAuth || access.kind === 'denied') return access;
  return { ...access, recentAuth };
}

/**
 * Two step-ups at one path (through an interface, the object's type unknown): the token
 * must meet both, so the shorter window and the more factors.
 */
function stricter(a: StepUp | undefined, b: StepUp | undefined): StepUp | undefined {
  if (!a || !b) return a ?? b;
  const requirement = Object.freeze({
    maxAgeSeconds: Math.min(a.requirement.maxAgeSeconds, b.requirement.maxAgeSeconds),
    factors: Math.max(a.requirement.factors, b.requirement.factors) as 1 | 2,
  });
  return { requirement, requires: a.requires };
}

function stepUpOf(rules: FieldRules): StepUp | undefined {
  // enforcePolicies refuses a schema with @recentAuth on a field without an @auth policy.
  if (!rules.recentAuth || rules.policy?.kind !== 'rules') return undefined;
  return { requirement: rules.recentAuth, requires: rules.policy.anyOf };
}

/**
 * Through an interface or a union, a field is asked of every object type that could
 * answer it: denied if any of them denies it, owner-dependent if any depends on the
 * owner, allowed only if all allow it; a step-up any of them declares is asked for.
 */
export function accessThrough(
  schema: GraphQLSchema,
  index: PolicyIndex,
  parent: GraphQLNamedType,
  fieldName: string,
  viewer: Viewer | null,
): StaticAccess {
  const types = isObjectType(parent) ? [parent] : isAbstractType(parent) ? schema.getPossibleTypes(parent) : [];
  let result = ALLOWED;
  let recentAuth: StepUp | undefined;
  for (const type of types) {
    const rules = index.get(type)?.get(fieldName);
    if (!rules) continue;
    const access = decideStatically(viewer, rules.policy);
    if (access.kind === 'denied') return access;
    if (access.kind === 'dependsOnOwner' && result.kind === 'allowed') result = access;
    recentAuth = stricter(recentAuth, stepUpOf(rules));
  }
  return withRecentAuth(result, recentAuth);
}
