import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from '../errors/graphql-errors';

/**
 * HTTP status codes for answers served as `application/graphql-response+json`, as the
 * GraphQL-over-HTTP specification says (Stage 2 draft, text of 2026-08-06, commit e1e46e7 of
 * graphql/graphql-over-http, § "Status Codes"). Apollo Server 5 implements the earlier draft
 * (2025-05), which answers 400 to every request error and 200 to every executed operation.
 *
 * Answers served as `application/json` keep Apollo's codes: a client that does not ask for the
 * new media type is a legacy client, and the status codes it was built against stay.
 */
export const GRAPHQL_RESPONSE_MEDIA_TYPE = 'application/graphql-response+json';

/** "If the GraphQL response contains both the data entry (even if it is null) and the errors entry, then the server SHOULD reply with a 294 status code." */
export const PARTIAL_SUCCESS = 294;
/** Well-formed HTTP, but a GraphQL request that cannot be processed as sent. */
export const UNPROCESSABLE_CONTENT = 422;
export const BAD_REQUEST = 400;

/** The parts of a GraphQL response the status depends on. */
export interface GraphQLResponseBody {
  readonly data?: unknown;
  readonly errors?: ReadonlyArray<{ readonly message?: unknown; readonly extensions?: { readonly code?: unknown } }>;
}

/**
 * Request errors the spec answers with 422: the document does not validate, the operation to
 * run cannot be determined, the variables cannot be coerced (ours included: too many values, NUL
 * characters), or the request's parameters are of the wrong shape. A document that does not
 * parse stays 400, as in the spec.
 */
const UNPROCESSABLE_CODES = new Set<unknown>([
  ErrorCode.GRAPHQL_VALIDATION_FAILED,
  ErrorCode.OPERATION_RESOLUTION_FAILURE,
  ErrorCode.BAD_USER_INPUT,
]);

/**
 * Apollo's CSRF refusal is a BAD_REQUEST like a malformed request, but nothing is wrong with
 * its parameters: the request is refused because a browser may have sent it without the
 * caller's consent. It stays 400 under both media types.
 */
const CSRF_REFUSAL = 'This operation has been blocked as a potential Cross-Site Request Forgery';

/**
 * The status an answer gets under `application/graphql-response+json`, from the status Apollo
 * and our plugins chose (`current`) and the GraphQL response body.
 */
export function graphqlResponseStatus(current: number, body: GraphQLResponseBody): number {
  const errors = body.errors ?? [];
  if (body.data !== undefined) {
    if (errors.length === 0) return current;
    // "If the GraphQL response contains the data entry and it is not null, then the server MUST
    // reply with a 2xx status code": a partial answer is never 429 or 503, whatever failed in it.
    if (body.data !== null) return PARTIAL_SUCCESS;
    // Data null: a non-null root field failed. When every root field was refused as too many
    // requests (429), or a store the answer needs is down (503), the answer keeps that status
    // and its Retry-After, so proxies and SDKs back off without reading GraphQL errors; this
    // departs from the spec's SHOULD (294) on purpose.
    if (current === 429 || current === 503) return current;
    return PARTIAL_SUCCESS;
  }
  // No data: a request error, raised before execution. "If the GraphQL response does not
  // contain the data entry then the server MUST reply with an appropriate 4xx or 5xx status code."
  if (current < 400) return BAD_REQUEST;
  if (current !== BAD_REQUEST || errors.length === 0) return current;
  return errors.every(isUnprocessable) ? UNPROCESSABLE_CONTENT : current;
}

function isUnprocessable(error: NonNullable<GraphQLResponseBody['errors']>[number]): boolean {
  const code = error.extensions?.code;
  if (UNPROCESSABLE_CODES.has(code)) return true;
  if (code !== ErrorCode.BAD_REQUEST) return false;
  return !(typeof error.message === 'string' && error.message.startsWith(CSRF_REFUSAL));
}

/**
 * Fastify `onSend` hook for the GraphQL route: sets the spec's status on answers Apollo served
 * as `application/graphql-response+json`. Anything else (`application/json`, the Sandbox page,
 * transport errors answered by Fastify) passes untouched.
 */
export async function applyGraphQLResponseStatus(
  _request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): Promise<unknown> {
  if (typeof payload !== 'string') return payload;
  const contentType = reply.getHeader('content-type');
  if (typeof contentType !== 'string' || !contentType.startsWith(GRAPHQL_RESPONSE_MEDIA_TYPE)) return payload;
  // Apollo writes `errors` before `data`: an answer that opens with `data` has no errors and
  // keeps its status, and the (possibly large) answers that succeed are never parsed again.
  if (payload.startsWith('{"data"')) return payload;
  let body: GraphQLResponseBody;
  try {
    body = JSON.parse(payload) as GraphQLResponseBody;
  } catch {
    return payload;
  }
  if (body === null || typeof body !== 'object') return payload;
  const status = graphqlResponseStatus(reply.statusCode, body);
  if (status !== reply.statusCode) void reply.code(status);
  return payload;
}
