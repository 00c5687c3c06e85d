import { CombinedGraphQLErrors, ServerError, ServerParseError } from '@apollo/client/errors';
import { isTollgateError } from '@tollgate/client';

/**
 * What the person at the screen is told about a failed request: one sentence, never a code,
 * stack or request body. `field` names the form input the problem is about, so the form can
 * highlight it; `reference` is the request id support can look up in the server log.
 */
export interface ProblemDescription {
  readonly message: string;
  readonly field?: string;
  readonly reference?: string;
}

interface ErrorExtensions {
  readonly code?: unknown;
  readonly reason?: unknown;
  readonly field?: unknown;
  readonly retryAfter?: unknown;
  readonly requestId?: unknown;
}

const SESSION_ENDED = 'Your session has ended. Please log in again.';
const OFFLINE = 'We cannot reach the server. Check your connection and try again.';
const UNREACHABLE = 'The server is not answering right now. Please try again in a moment.';
const GATEWAY_STATUSES: ReadonlySet<number> = new Set([502, 504]);
const UNEXPECTED = 'Something went wrong on our side. Please try again in a moment.';

/** A rule the form checks itself before sending anything (two passwords that differ). */
export class FormInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** The person closed the step-up dialog instead of confirming: the action was not done. */
export class StepUpCancelledError extends Error {
  constructor() {
    super('Nothing was changed, because your password was not confirmed.');
  }
}

/** Errors of @tollgate/client (login, signUp, logout…) and of Apollo's own hooks alike. */
export function describeError(error: unknown): ProblemDescription {
  if (error instanceof FormInputError) return { message: error.message, field: error.field };
  if (error instanceof StepUpCancelledError) return { message: error.message };
  if (isTollgateError(error)) {
    if (error.code === 'NETWORK_ERROR') return { message: OFFLINE };
    // No GraphQL answer at all, from a proxy in front of an API that is down.
    if (error.code === 'INTERNAL_SERVER_ERROR' && error.status !== undefined && GATEWAY_STATUSES.has(error.status)) {
      return { message: UNREACHABLE };
    }
    return describeGraphQLError(error.message, error);
  }
  if (CombinedGraphQLErrors.is(error) && error.errors.length > 0) {
    const [first] = error.errors;
    return describeGraphQLError(first!.message, (first!.extensions ?? {}) as ErrorExtensions);
  }
  if (ServerError.is(error)) return describeHttpStatus(error.statusCode, retryAfterHeader(error.response));
  if (ServerParseError.is(error)) return { message: UNEXPECTED };
  // fetch() rejects with a TypeError when the network or the server is down.
  if (error instanceof TypeError || (error instanceof Error && /network|fetch/i.test(error.message))) {
    return { message: OFFLINE };
  }
  return { message: UNEXPECTED };
}

/**
 * A logout or "log out everywhere" that did not happen: the session is still open on the
 * server (its cookie would sign the person back in on the next load), so the page says so.
 */
export function describeLogoutError(error: unknown): ProblemDescription {
  const { message, reference } = describeError(error);
  return {
    message: `We could not log you out, so you are still signed in. ${message}`,
    ...(reference ? { reference } : {}),
  };
}

function describeGraphQLError(serverMessage: string, extensions: ErrorExtensions): ProblemDescription {
  const retryAfter = typeof extensions.retryAfter === 'number' ? extensions.retryAfter : undefined;
  switch (extensions.code) {
    case 'UNAUTHENTICATED':
      // A wrong second factor is about the code the person typed: the form highlights it.
      if (extensions.reason === 'INVALID_MFA_CODE') return { message: WRONG_CODE, field: 'code' };
      return { message: describeUnauthenticated(extensions.reason) };
    case 'FORBIDDEN':
      return { message: describeForbidden(extensions.reason) };
    case 'BAD_USER_INPUT':
      return { message: describeBadInput(serverMessage, extensions.reason), ...inputField(extensions.field) };
    case 'TOO_MANY_REQUESTS':
      return { message: `Too many attempts. Please wait ${formatWait(retryAfter ?? 60)} and try again.` };
    case 'SERVICE_UNAVAILABLE':
      return {
        message: `The service is temporarily unavailable. Please try again in ${formatWait(retryAfter ?? 5)}.`,
      };
    case 'INTERNAL_SERVER_ERROR':
      return {
        message: UNEXPECTED,
        ...(typeof extensions.requestId === 'string' ? { reference: extensions.requestId } : {}),
      };
    default:
      // GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, BAD_REQUEST…: the app and the API disagree.
      return { message: 'This page is out of date. Please reload it and try again.' };
  }
}

const WRONG_CODE = 'That code is not right. Type the code your authenticator app shows now, or a recovery code.';

function describeUnauthenticated(reason: unknown): string {
  switch (reason) {
    case 'INVALID_CREDENTIALS':
      return 'That email and password do not match an account (or the account is disabled).';
    case 'EMAIL_NOT_VERIFIED':
      return 'Please confirm your email address first, with the link we sent you. You can ask for a new link.';
    case 'MFA_REQUIRED':
      return 'Enter the code from your authenticator app to finish logging in.';
    case 'MFA_CHALLENGE_INVALID':
      return 'This login took too long or was already finished. Please log in again.';
    case 'TOKEN_STALE':
      return 'Your permissions have changed. Please log in again.';
    case 'REFRESH_TOKEN_REUSED':
      return 'For your safety this session was ended, because its sign-in was used twice. Please log in again.';
    case 'TOKEN_EXPIRED':
    case 'TOKEN_REVOKED':
    case 'TOKEN_INVALID':
    case 'REFRESH_TOKEN_INVALID':
    case 'SESSION_EXPIRED':
      return SESSION_ENDED;
    default:
      return 'Please log in to see this.';
  }
}

function describeForbidden(reason: unknown): string {
  switch (reason) {
    case 'STEP_UP_REQUIRED':
      return 'For your safety, confirm your password again to do this.';
    case 'FEATURE_DISABLED':
      return 'This server has turned this feature off.';
    default:
      return 'Your account is not allowed to do this.';
  }
}

function describeBadInput(serverMessage: string, reason: unknown): string {
  switch (reason) {
    case 'EMAIL_TOKEN_INVALID':
      return 'This link is invalid or has expired. Please ask for a new one.';
    case 'EMAIL_TAKEN':
      return 'Another account uses that email address now, so yours was not changed.';
    case 'INVALID_MFA_CODE':
      return WRONG_CODE;
    default:
      // The API writes these for people ("Password must be at least 8 characters.").
      return serverMessage;
  }
}

function describeHttpStatus(status: number, retryAfter: number | undefined): ProblemDescription {
  if (status === 429) return { message: `Too many requests. Please wait ${formatWait(retryAfter ?? 60)}.` };
  if (status === 401) return { message: SESSION_ENDED };
  if (GATEWAY_STATUSES.has(status)) return { message: UNREACHABLE };
  if (status === 503) {
    return { message: `The service is temporarily unavailable. Please try again in ${formatWait(retryAfter ?? 5)}.` };
  }
  return { message: UNEXPECTED };
}

function retryAfterHeader(response: Response | undefined): number | undefined {
  const value = Number(response?.headers.get('retry-after'));
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** `input.password` → `password`: the form knows its inputs by their own names. */
function inputField(field: unknown): { field?: string } {
  if (typeof field !== 'string' || field === '') return {};
  return { field: field.slice(field.lastIndexOf('.') + 1) };
}

/** "45 seconds", "1 minute", "15 minutes", "2 hours": the wait rounded up, in words. */
export function formatWait(seconds: number): string {
  const whole = Math.max(1, Math.ceil(seconds));
  if (whole < 60) return plural(whole, 'second');
  const minutes = Math.ceil(whole / 60);
  if (minutes < 60) return plural(minutes, 'minute');
  return plural(Math.ceil(minutes / 60), 'hour');
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
