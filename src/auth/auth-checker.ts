import type { AuthCheckerFn } from 'type-graphql';
import type { Context } from '../context';
import { authenticationRequired, forbidden } from '../graphql/errors';
import { decideAccess } from './access';
import type { AuthRule } from './policies';

/**
 * type-graphql's hook for `@Authorized`. Throws instead of returning false so the
 * error carries our code and what the field requires; type-graphql's own errors
 * would say UNAUTHORIZED for both cases.
 */
export const authChecker: AuthCheckerFn<Context, AuthRule> = ({ root, context }, rules) => {
  const decision = decideAccess(context.viewer, rules, root);
  if (decision.allowed) return true;
  throw decision.code === 'UNAUTHENTICATED' ? authenticationRequired(decision.requires) : forbidden(decision.requires);
};
