import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { isTollgateError } from '@tollgate/client';

/**
 * The server's answer to a sensitive action whose sign-in is too old or has too few factors
 * (`FORBIDDEN`, reason `STEP_UP_REQUIRED`), from Apollo's hooks or from @tollgate/client alike.
 */
export function isStepUpRequired(error: unknown): boolean {
  if (isTollgateError(error)) return error.reason === 'STEP_UP_REQUIRED';
  return CombinedGraphQLErrors.is(error) && error.errors.some((e) => e.extensions?.reason === 'STEP_UP_REQUIRED');
}
