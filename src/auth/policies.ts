import { Directive, Extensions } from 'type-graphql';
import type { Role } from './roles';

/**
 * One rule of a policy. A policy lists rules and is met when any one of them is:
 * `SIGNED_IN` any valid token; `SELF` the signed-in user owns the parent object, as
 * its type's owner rule states (@OwnerOr); a role, that role or one above it.
 */
export type AuthRule = 'SIGNED_IN' | 'SELF' | `${Role}`;

/** How to find the id of the user who owns a parent object of type T (null: nobody). */
export type OwnerOf<T> = (parent: T) => string | null | undefined;

/** Where the owner rule of a type or field is kept in the built schema (GraphQL extensions). */
export const OWNER_EXTENSION = 'tollgateOwner';

export type Policy = { readonly kind: 'public' } | { readonly kind: 'rules'; readonly anyOf: readonly AuthRule[] };

type Decorator = (target: object, propertyKey?: string | symbol, descriptor?: PropertyDescriptor) => void;

/** A decorator for class T itself or for one of its fields: applying it to another class fails to compile. */
export interface DecoratorFor<T> {
  (target: abstract new (...args: never[]) => T): void;
  (target: T, propertyKey: string | symbol): void;
}

interface DeclaredPolicies {
  classPolicy?: Policy;
  readonly fields: Map<string, Policy>;
}

// Kept beside type-graphql's metadata to catch conflicting declarations before the schema is built.
const declared = new Map<Function, DeclaredPolicies>();

/**
 * Records the policy and attaches it to the schema as a directive (@public or
 * @auth). The directive is the single source of truth: the SDL shows it, and
 * src/graphql/enforce-policies.ts enforces it in front of the resolver.
 */
function declare(policy: Policy, sdl: string): Decorator {
  const directive = Directive(sdl) as Decorator;
  return (target, propertyKey, descriptor) => {
    const owner = (propertyKey === undefined ? target : target.constructor) as Function;
    const entry = declared.get(owner) ?? { fields: new Map<string, Policy>() };
    declared.set(owner, entry);
    if (propertyKey === undefined) {
      if (entry.classPolicy) throw new Error(`${owner.name} declares more than one policy`);
      entry.classPolicy = policy;
    } else {
      const name = String(propertyKey);
      if (entry.fields.has(name)) throw new Error(`${owner.name}.${name} declares more than one policy`);
      entry.fields.set(name, policy);
    }
    directive(target, propertyKey, descriptor);
  };
}

/** Anyone may read this, signed in or not. */
export function Public(): Decorator {
  return declare({ kind: 'public' }, '@public');
}

/** Any signed-in user. */
export function SignedIn(): Decorator {
  return rules(['SIGNED_IN']);
}

/** Users holding `role` or a role above it. */
export function RequireRole(role: Role): Decorator {
  return rules([role]);
}

/**
 * The parent object's owner, or anyone holding one of `roles`. The owner is named, and
 * type-checked against the parent type, never guessed from field names:
 * `@OwnerOr({ owner: (session: Session) => session.userId }, Role.ADMIN)`.
 */
export function OwnerOr<T extends object>(rule: { readonly owner: OwnerOf<T> }, ...roles: Role[]): DecoratorFor<T> {
  const policy = rules(['SELF', ...roles]);
  const extension = Extensions({ [OWNER_EXTENSION]: rule.owner }) as Decorator;
  return ((target: object, propertyKey?: string | symbol) => {
    policy(target, propertyKey);
    extension(target, propertyKey);
  }) as DecoratorFor<T>;
}

function rules(anyOf: readonly AuthRule[]): Decorator {
  return declare({ kind: 'rules', anyOf }, `@auth(requires: [${anyOf.join(', ')}])`);
}

/** A class policy applies to every field of the class; a public field cannot loosen a guarded class. */
export function assertConsistentPolicies(): void {
  for (const [owner, entry] of declared) {
    if (entry.classPolicy?.kind !== 'rules') continue;
    for (const [field, policy] of entry.fields) {
      if (policy.kind === 'public') {
        throw new Error(
          `${owner.name}.${field} is @Public() inside a class guarded by a policy; move the policy to fields`,
        );
      }
    }
  }
}

export function describePolicy(policy: Policy): string {
  if (policy.kind === 'public') return 'anyone';
  return policy.anyOf
    .map((rule) => (rule === 'SIGNED_IN' ? 'any signed-in user' : rule === 'SELF' ? 'the user themself' : rule))
    .join(' or ');
}
