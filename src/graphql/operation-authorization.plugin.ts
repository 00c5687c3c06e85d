import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from '@apollo/server';
import {
  GraphQLError,
  getVariableValues,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { Viewer } from '../auth/tokens';
import type { AuthorizationMode } from '../config';
import type { Context } from '../context';
import { ErrorCode, authenticationRequired, forbidden, stepUpRequired } from '../errors/graphql-errors';
import {
  authorizeOperation,
  type DeniedField,
  type OperationAuthorization,
  type OperationVerdict,
} from './operation-authorization';
import { OperationAuthorizationCache } from './operation-authorization.cache';
import { decideRecentAuth } from './operation-authorization.step-up';

/** Where a request names its mode: `{ "extensions": { "authorization": "reject" } }`. */
export const AUTHORIZATION_EXTENSION = 'authorization';

/**
 * `partial`: execute; a denied field answers null with an error at its path (GraphQL's way).
 * `reject`: if any field is denied, execute nothing and answer one error per denied path.
 * `dryRun`: execute nothing; answer which paths would be denied ("may I run this?").
 */
export type RequestedAuthorization = AuthorizationMode | 'dryRun';
const REQUESTED: readonly RequestedAuthorization[] = ['partial', 'reject', 'dryRun'];

/** The answer of a dry run, under `extensions.authorization`. */
export interface DryRunAnswer {
  /** True when reject mode would run the operation: no path is denied by role, sign-in or step-up. */
  readonly allowed: boolean;
  /** Each denied path with the extensions of the error the runtime would raise there (`requires`, or a step-up's `reason`, `maxAge` and `factors`). */
  readonly denied: ReadonlyArray<{ readonly path: readonly string[]; readonly code: string } & Record<string, unknown>>;
  /** Paths only their object's owner (or a listed role) may read: decided when the object is known. */
  readonly dependsOnOwner: ReadonlyArray<{ path: readonly string[]; requires: readonly string[] }>;
}

export interface OperationAuthorizationOptions {
  /** What a request that does not say gets (AUTHORIZATION_MODE). */
  readonly defaultMode: AuthorizationMode;
  readonly cache?: OperationAuthorizationCache;
  /** Milliseconds since the epoch: the clock step-up windows (@recentAuth) are decided with, as at execution. */
  readonly now?: () => number;
}

/**
 * Whole-operation authorization, between validation and execution: the document limits and
 * the cost rule have passed (a dry run inspects no document the server would not run), and
 * `responseForOperation` answers instead of execution when the operation is refused or only
 * inspected. Requests that neither ask for it nor fall under a `reject` default get no
 * listener: they pay one property read.
 */
export function operationAuthorizationPlugin(options: OperationAuthorizationOptions): ApolloServerPlugin<Context> {
  const cache = options.cache ?? new OperationAuthorizationCache();
  const now = options.now ?? Date.now;
  return {
    async requestDidStart({ request }) {
      const asked: unknown = request.extensions?.[AUTHORIZATION_EXTENSION];
      if (asked === undefined && options.defaultMode === 'partial') return;
      let mode: RequestedAuthorization = options.defaultMode;
      let answer: OperationVerdict | null = null;
      return {
        async didResolveOperation({ schema, document, operation, queryHash, contextValue }) {
          mode = requestedMode(asked, options.defaultMode);
          // Apollo has resolved the operation by now (or answered already); the check satisfies the type.
          if (mode === 'partial' || !operation) return;
          const key = { queryHash, operationIndex: document.definitions.indexOf(operation) };
          const conditions = cache.conditionVariables(key, document);
          const variables = conditionValues(schema, operation, conditions, request.variables);
          const viewer = contextValue.viewer;
          const forRoleSet = cache.answer(key, conditions, viewer, variables, () =>
            walk(() => authorizeOperation({ schema, document, operation, variables, viewer })),
          );
          // Step-ups depend on this token and this instant: decided per request, never cached.
          answer = decideRecentAuth(forRoleSet, viewer, now());
        },
        async responseForOperation({ contextValue }) {
          if (!answer) return null;
          if (mode === 'dryRun') return dryRunResponse(answer);
          return answer.denied.length === 0 ? null : rejection(answer, contextValue.viewer);
        },
      };
    },
  };
}

/** Apollo answers a GraphQLError thrown here with its `http` status, before anything runs. */
function requestedMode(asked: unknown, fallback: AuthorizationMode): RequestedAuthorization {
  if (asked === undefined) return fallback;
  if (typeof asked === 'string' && (REQUESTED as readonly string[]).includes(asked)) {
    return asked as RequestedAuthorization;
  }
  // The value is not echoed: it is the client's, of any size.
  throw new GraphQLError(
    `extensions.${AUTHORIZATION_EXTENSION} must be one of ${REQUESTED.map((m) => `"${m}"`).join(', ')}.`,
    { extensions: { code: ErrorCode.BAD_REQUEST, http: { status: 400 } } },
  );
}

/**
 * The values of the variables that decide a @skip or @include, coerced as execution
 * coerces them (defaults applied). Only those: they are Booleans, cheap to coerce, where
 * the others may be large and are execution's to check (and, in a dry run, nobody's: it
 * answers whether the viewer may run the operation, not whether its arguments are good).
 * One that does not coerce fails here as it would fail execution, before any resolver,
 * and a dry run never falls through to execution because of it.
 */
function conditionValues(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  conditions: readonly string[],
  inputs: Readonly<Record<string, unknown>> | undefined,
): Readonly<Record<string, unknown>> {
  if (conditions.length === 0) return {};
  const definitions = (operation.variableDefinitions ?? []).filter((definition) =>
    conditions.includes(definition.variable.name.value),
  );
  const result = getVariableValues(schema, definitions, inputs ?? {}, { maxErrors: 1 });
  if (result.errors) throw userInputError(result.errors[0]!.message);
  return result.coerced;
}

/** A @skip/@include whose `if` got no usable value throws in graphql-js; so does execution, before any resolver. */
function walk(run: () => OperationAuthorization): OperationAuthorization {
  try {
    return run();
  } catch (error) {
    if (error instanceof GraphQLError) throw userInputError(error.message);
    throw error;
  }
}

function userInputError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } } });
}

/** The error the runtime check raises at a denied field: same message, code and extensions. */
function runtimeError({ code, requires, stepUp }: DeniedField): GraphQLError {
  if (stepUp) return stepUpRequired(stepUp);
  return code === ErrorCode.UNAUTHENTICATED ? authenticationRequired(requires) : forbidden(requires);
}

function dryRunResponse(answer: OperationVerdict): GraphQLResponse {
  const authorization: DryRunAnswer = {
    allowed: answer.denied.length === 0,
    denied: answer.denied.map((field) => ({
      path: field.path,
      ...(runtimeError(field).extensions as { code: string }),
    })),
    dependsOnOwner: answer.dependsOnOwner.map(({ path, requires }) => ({ path, requires })),
  };
  return {
    http: { status: 200, headers: new HeaderMap() },
    body: { kind: 'single', singleResult: { data: null, extensions: { [AUTHORIZATION_EXTENSION]: authorization } } },
  };
}

/**
 * One error per denied path, each as the runtime check would raise it at that path (same
 * message and extensions: `requires`, or a step-up's reason, maxAge and factors), and no
 * `data`: nothing ran. Refused as a whole, the request
 * answers 401 for an anonymous caller (RFC 9110 §15.5.2, with RFC 6750 §3's challenge and no
 * error code, since no credentials were offered) and 403 for a signed-in one (RFC 6750
 * §3.1 `insufficient_scope`), as a rate-limited whole request answers 429.
 */
function rejection(answer: OperationVerdict, viewer: Viewer | null): GraphQLResponse {
  const errors: GraphQLFormattedError[] = answer.denied.map((field) => {
    const runtime = runtimeError(field);
    return { message: runtime.message, locations: field.locations, path: field.path, extensions: runtime.extensions };
  });
  const http = viewer
    ? { status: 403, headers: new HeaderMap([['www-authenticate', 'Bearer error="insufficient_scope"']]) }
    : { status: 401, headers: new HeaderMap([['www-authenticate', 'Bearer']]) };
  return { http, body: { kind: 'single', singleResult: { errors } } };
}
