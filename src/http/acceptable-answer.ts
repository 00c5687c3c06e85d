import type { FastifyReply, FastifyRequest } from 'fastify';
import Negotiator from 'negotiator';
import { ErrorCode } from '../errors/graphql-errors';

/*
 * Apollo Server 5 decides what it answers in with `negotiator`, over exactly these types
 * (MEDIA_TYPES in @apollo/server's ApolloServer.ts, which the package does not export).
 * Matching them exactly matters: `negotiator` compares parameters too, so
 * `application/json;charset=latin1` admits no `application/json; charset=utf-8` answer,
 * and a check of our own that ignored parameters let the request through, Apollo ran it (a
 * mutation too) and then answered 406.
 */
const APPLICATION_JSON = 'application/json; charset=utf-8';
const APPLICATION_GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json; charset=utf-8';
const APPLICATION_JSON_GRAPHQL_CALLBACK = 'application/json; callbackSpec=1.0; charset=utf-8';
const MULTIPART_MIXED_NO_DEFER_SPEC = 'multipart/mixed';
const MULTIPART_MIXED_EXPERIMENTAL_ALPHA_2 = 'multipart/mixed; deferSpec=20220824';
const MULTIPART_MIXED_EXPERIMENTAL_ALPHA_9 = 'multipart/mixed; incrementalSpec=v0.2';
const TEXT_HTML = 'text/html';

/** What Apollo offers a single result in (chooseContentTypeForSingleResultResponse); none admitted: 406. */
const SINGLE_RESULT_TYPES = [APPLICATION_JSON, APPLICATION_GRAPHQL_RESPONSE_JSON, APPLICATION_JSON_GRAPHQL_CALLBACK];

/** What Apollo weighs the landing page against on a GET (ApolloServer#prefersHTML). */
const LANDING_PAGE_CHOICES = [
  APPLICATION_JSON,
  APPLICATION_GRAPHQL_RESPONSE_JSON,
  MULTIPART_MIXED_EXPERIMENTAL_ALPHA_2,
  MULTIPART_MIXED_EXPERIMENTAL_ALPHA_9,
  MULTIPART_MIXED_NO_DEFER_SPEC,
  TEXT_HTML,
];

export interface AcceptableAnswerOptions {
  /** Whether Apollo serves a landing page (the Sandbox) to a GET that prefers HTML: not in production. */
  readonly landingPage: boolean;
}

/**
 * What Apollo will answer a request with, decided as Apollo decides it: `page` (the landing
 * page, nothing executed), `result` (the operation runs and its result is written in a type
 * the client admits), or `notAcceptable` (Apollo would run the operation, then answer 406).
 */
export function answerFor(
  method: string,
  accept: string | undefined,
  options: AcceptableAnswerOptions,
): 'page' | 'result' | 'notAcceptable' {
  // Apollo reads a missing or empty header as "anything" (JSON).
  if (!accept) return 'result';
  const negotiator = new Negotiator({ headers: { accept } });
  if (options.landingPage && method === 'GET' && negotiator.mediaType(LANDING_PAGE_CHOICES) === TEXT_HTML) {
    return 'page';
  }
  return negotiator.mediaType(SINGLE_RESULT_TYPES) === undefined ? 'notAcceptable' : 'result';
}

/**
 * Refuses, with 406 and before anything runs, a request whose `Accept` header admits no media
 * type Apollo will answer in. Apollo checks `Accept` only after executing the operation: a
 * mutation sent with `Accept: text/csv` would change data and then answer 406, and a client
 * told that its sign-up failed would try again. The spec: "Respond with a 406 Not Acceptable
 * status code and stop processing the request".
 */
export function refuseUnacceptableAccept(options: AcceptableAnswerOptions) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (answerFor(request.method, request.headers.accept, options) !== 'notAcceptable') return undefined;
    return reply
      .code(406)
      .type('application/json; charset=utf-8')
      .send({
        errors: [
          {
            message:
              'The Accept header admits neither application/json nor application/graphql-response+json (charset utf-8).',
            extensions: { code: ErrorCode.BAD_REQUEST, requestId: request.id },
          },
        ],
      });
  };
}
