import {
  DirectiveLocation,
  GraphQLDirective,
  GraphQLEnumType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  isObjectType,
  type ConstDirectiveNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { describePolicy, type AuthRule, type Policy } from '../auth/policies';
import { ALL_ROLES, roleDescription } from '../auth/roles';
import { describeRecentAuth, recentAuthRequirement, type RecentAuthRequirement } from '../auth/step-up';

// The policy of every field, as the SDL shows it and as enforce-policies.ts enforces it:
// a reader of schema.graphql (or of generated client types) sees exactly who may read what.
const AuthRuleEnum = new GraphQLEnumType({
  name: 'AuthRule',
  description: 'One way to satisfy an @auth policy; any listed rule suffices.',
  values: {
    SIGNED_IN: { description: 'Any signed-in user.' },
    SELF: {
      description:
        'The signed-in user owns the parent object, as its type states (a User owns itself, a Session is its user’s).',
    },
    ...Object.fromEntries(ALL_ROLES.map((role) => [role, { description: roleDescription(role) }])),
  },
});

export const authDirective = new GraphQLDirective({
  name: 'auth',
  description: 'Only callers meeting one of `requires` may read this; others get null and an error.',
  locations: [DirectiveLocation.OBJECT, DirectiveLocation.FIELD_DEFINITION],
  args: { requires: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(AuthRuleEnum))) } },
});

export const publicDirective = new GraphQLDirective({
  name: 'public',
  description: 'Anyone may read this, signed in or not.',
  locations: [DirectiveLocation.OBJECT, DirectiveLocation.FIELD_DEFINITION],
});

export const recentAuthDirective = new GraphQLDirective({
  name: 'recentAuth',
  description:
    "Step-up, on top of the field's policy: the caller's token must prove an authentication within `maxAgeSeconds` with `factors` factors (2: a password and a second factor, or a passkey; a user without a second factor meets it with the password). Otherwise FORBIDDEN with reason STEP_UP_REQUIRED: call `reauthenticate`.",
  locations: [DirectiveLocation.FIELD_DEFINITION],
  args: {
    maxAgeSeconds: { type: new GraphQLNonNull(GraphQLInt) },
    factors: { type: new GraphQLNonNull(GraphQLInt) },
  },
});

/** The step-up a field declares (@recentAuth), validated; undefined when it declares none. */
export function recentAuthOf(field: GraphQLField<unknown, unknown>): RecentAuthRequirement | undefined {
  const directive = field.astNode?.directives?.find((d) => d.name.value === recentAuthDirective.name);
  if (!directive) return undefined;
  const value = (name: string) => {
    const arg = directive.arguments?.find((a) => a.name.value === name)?.value;
    return arg?.kind === 'IntValue' ? Number(arg.value) : NaN;
  };
  return recentAuthRequirement(value('maxAgeSeconds'), value('factors'));
}

function policyFromDirectives(directives: readonly ConstDirectiveNode[] | undefined): Policy | undefined {
  for (const directive of directives ?? []) {
    if (directive.name.value === publicDirective.name) return { kind: 'public' };
    if (directive.name.value === authDirective.name) {
      const requires = directive.arguments?.find((arg) => arg.name.value === 'requires')?.value;
      const anyOf =
        requires?.kind === 'ListValue' ? requires.values.flatMap((v) => (v.kind === 'EnumValue' ? [v.value] : [])) : [];
      return { kind: 'rules', anyOf: anyOf as AuthRule[] };
    }
  }
  return undefined;
}

/** The policy a field carries in the built schema: its own, else its type's. */
function fieldPolicy(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): Policy | undefined {
  return policyFromDirectives(field.astNode?.directives) ?? policyFromDirectives(type.astNode?.directives);
}

/** Every field of every object type of ours (roots included; introspection types excluded) with its policy. */
export function* fieldsWithPolicies(
  schema: GraphQLSchema,
): Generator<{ type: GraphQLObjectType; field: GraphQLField<unknown, unknown>; policy: Policy | undefined }> {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) yield { type, field, policy: fieldPolicy(type, field) };
  }
}

/** Every "Type.field" that declares no policy. */
export function fieldsWithoutPolicy(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  for (const { type, field, policy } of fieldsWithPolicies(schema)) {
    if (!policy) missing.push(`${type.name}.${field.name}`);
  }
  return missing;
}

/**
 * Appends each field's policy to its description. Introspection does not carry
 * directives, so this is how Apollo Sandbox users see who may read a field.
 */
export function describePolicies(schema: GraphQLSchema): void {
  for (const { field, policy } of fieldsWithPolicies(schema)) {
    if (!policy || policy.kind === 'public') continue;
    const stepUp = recentAuthOf(field);
    const access =
      `Access: ${describePolicy(policy)}.` + (stepUp ? ` Step-up: ${describeRecentAuth(stepUp)} (@recentAuth).` : '');
    field.description = field.description ? `${field.description}\n\n${access}` : access;
  }
}
