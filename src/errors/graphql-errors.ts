import { HeaderMap } from '@apollo/server';
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLErrorExtensions, type GraphQLFormattedError } from 'graphql';
import {
  AuthenticationError,
  BusyError,
  DomainError,
  FeatureDisabledError,
  InvalidInputError,
  SecondFactorRequiredError,
  ServiceUnavailableError,
  type InvalidTokenError,
} from './domain-errors';
import type { AuthRule } from '../auth/policies';
import type { RecentAuthRequirement } from '../auth/step-up';

/** Every `extensions.code` a client can see. Anything else is masked as INTERNAL_SERVER_ERROR. */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  /** A store the answer needs (PostgreSQL) is unreachable: HTTP 503 with Retry-After; retry later. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  // Apollo Server's own, from its enum (BAD_USER_INPUT, INTERNAL_SERVER_ERROR, and those it
  // raises before any resolver runs: GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, …).
  ...ApolloServerErrorCode,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const PUBLIC_CODES = new Set<string>(Object.values(ErrorCode));
export const INTERNAL_ERROR_MESSAGE = 'Internal server error';
export const PARSE_FAILED_MESSAGE = 'The document could not be parsed.';

/**
 * The answer to a bearer token that proves nothing: HTTP 401 with RFC 6750's
 * `WWW-Authenticate`, before any resolver runs. Apollo reads `http` off the error
 * thrown by the context function.
 */
export function invalidTokenResponse(error: InvalidTokenError): GraphQLError {
  const http = { status: 401, headers: new HeaderMap([['www-authenticate', 'Bearer error="invalid_token"']]) };
  return new GraphQLError(error.message, {
    // Cast: GraphQL Yoga (a benchmark dependency) augments this type with its own `http` shape.
    extensions: { code: ErrorCode.UNAUTHENTICATED, reason: error.reason, http } as unknown as GraphQLErrorExtensions,
  });
}

/**
 * The answer when the request cannot be served safely without a store that is down:
 * HTTP 503 and Retry-After, before any resolver runs. The message never names the store.
 */
export function serviceUnavailableResponse(error: ServiceUnavailableError): GraphQLError {
  const http = {
    status: 503,
    headers: new HeaderMap([['retry-after', String(error.retryAfterSeconds)]]),
  };
  return new GraphQLError(error.message, {
    // Cast: as in invalidTokenResponse.
    extensions: {
      code: ErrorCode.SERVICE_UNAVAILABLE,
      retryAfter: error.retryAfterSeconds,
      http,
    } as unknown as GraphQLErrorExtensions,
  });
}

export function forbidden(requires: readonly AuthRule[]): GraphQLError {
  return new GraphQLError('You are not allowed to read this field.', {
    extensions: { code: ErrorCode.FORBIDDEN, requires },
  });
}

/** A sensitive field whose caller's token is too old or proves too few factors: `reauthenticate`, then retry. */
export function stepUpRequired(requirement: RecentAuthRequirement): GraphQLError {
  return new GraphQLError('This action needs a recent authentication: reauthenticate, then try again.', {
    extensions: {
      code: ErrorCode.FORBIDDEN,
      reason: 'STEP_UP_REQUIRED',
      maxAge: requirement.maxAgeSeconds,
      factors: requirement.factors,
    },
  });
}

export function authenticationRequired(requires: readonly AuthRule[]): GraphQLError {
  return new GraphQLError('You must be signed in to read this field.', {
    extensions: { code: ErrorCode.UNAUTHENTICATED, requires },
  });
}

/** The edge's single translation from domain errors to public ones. */
function toGraphQLError(error: DomainError): GraphQLError {
  if (error instanceof SecondFactorRequiredError) {
    const mfa = { challenge: error.challenge, expiresIn: error.expiresInSeconds, methods: error.methods };
    return new GraphQLError(error.message, {
      extensions: { code: ErrorCode.UNAUTHENTICATED, reason: error.reason, mfa },
    });
  }
  if (error instanceof AuthenticationError) {
    return new GraphQLError(error.message, { extensions: { code: ErrorCode.UNAUTHENTICATED, reason: error.reason } });
  }
  if (error instanceof InvalidInputError) {
    return new GraphQLError(error.message, {
      extensions: {
        code: ErrorCode.BAD_USER_INPUT,
        field: error.field,
        ...(error.reason ? { reason: error.reason } : {}),
      },
    });
  }
  if (error instanceof FeatureDisabledError) {
    return new GraphQLError(error.message, { extensions: { code: ErrorCode.FORBIDDEN, reason: 'FEATURE_DISABLED' } });
  }
  if (error instanceof BusyError) {
    return new GraphQLError(error.message, {
      extensions: { code: ErrorCode.TOO_MANY_REQUESTS, retryAfter: error.retryAfterSeconds },
    });
  }
  if (error instanceof ServiceUnavailableError) {
    return new GraphQLError(error.message, {
      extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, retryAfter: error.retryAfterSeconds },
    });
  }
  // A DomainError subclass nobody mapped is a programming error: mask it like any other.
  return new GraphQLError(INTERNAL_ERROR_MESSAGE, { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } });
}

/** True when the error is one we meant to show; everything else is logged and masked. */
// graphql-js closes a list of bad variable values with this error of no code; what it reports
// is the client's input, like the other BAD_USER_INPUT errors before it.
const VARIABLE_ERROR_LIMIT = 'Too many errors processing variables, error limit reached. Execution aborted.';

export function isExpectedError(error: unknown): boolean {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) return true;
  if (!(original instanceof GraphQLError)) return false;
  if (original.message === VARIABLE_ERROR_LIMIT && !original.originalError) return true;
  const code = original.extensions?.code;
  // graphql-js wraps a non-GraphQLError thrown in a resolver, and Apollo wraps once more what the
  // parser threw (a RangeError from deep nesting): the innermost cause decides.
  if (!(rootCause(original) instanceof GraphQLError)) return false;
  return typeof code === 'string' && PUBLIC_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR;
}

function rootCause(error: GraphQLError): unknown {
  let cause: unknown = error;
  while (cause instanceof GraphQLError && cause.originalError) cause = cause.originalError;
  return cause;
}

/**
 * Apollo's formatError: domain errors become their public shape; errors with a
 * public code pass; anything else becomes "Internal server error" (the
 * errors plugin logs it in full and adds the request id).
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const { locations, path } = formatted;
  if (original instanceof GraphQLError && original.message === VARIABLE_ERROR_LIMIT && !original.originalError) {
    return { message: original.message, extensions: { code: ErrorCode.BAD_USER_INPUT } };
  }
  if (original instanceof DomainError) {
    return { message: original.message, locations, path, extensions: toGraphQLError(original).extensions };
  }
  // Stack traces (development only) help with the unexpected; on errors we meant to raise they are noise.
  const { stacktrace, ...extensions } = formatted.extensions ?? {};
  if (isExpectedError(error)) return { ...formatted, extensions };
  // A parser that failed without a syntax error ("Maximum call stack size exceeded") stays a 400, in our words.
  if (extensions.code === ErrorCode.GRAPHQL_PARSE_FAILED) {
    return { message: PARSE_FAILED_MESSAGE, extensions: { code: ErrorCode.GRAPHQL_PARSE_FAILED } };
  }
  return {
    message: INTERNAL_ERROR_MESSAGE,
    locations,
    path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...(stacktrace ? { stacktrace } : {}) },
  };
}
