import { isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { decideAccess } from '../auth/access';
import type { Context } from '../context';
import { authenticationRequired, forbidden } from '../errors/graphql-errors';
import { fieldsWithPolicies } from '../graphql/directives';
import type { Logger } from '../logger';

/**
 * Makes every subscription field deliver, to each subscriber, only what that subscriber may
 * read. Events carry ids; the field's resolver re-reads the object as the subscriber (its
 * own context, its own viewer) and answers null when they may not see it. Such an event is
 * not delivered at all (not `null`: that would tell a stranger that something happened to
 * a draft). What is delivered then goes through the field policies of its type like any
 * query result, so a field they may not read is null with its error. An event that cannot be
 * re-read (the database failed) is logged and skipped for that subscriber: an error result
 * would tell them nothing they could act on, and end nothing.
 *
 * The field's own policy is decided once, when the subscription starts: a denied
 * subscription never listens (the viewer of a connection does not change; the socket is
 * closed when their access ends, see connection-registry.ts).
 *
 * Runs after enforcePolicies, over the resolvers it wrapped.
 */
export function deliverOnlyReadableEvents(schema: GraphQLSchema): void {
  const subscriptionType = schema.getSubscriptionType();
  if (!subscriptionType) return;
  for (const { type, field, policy } of fieldsWithPolicies(schema)) {
    if (type !== subscriptionType || !isObjectType(type)) continue;
    const subscribe = field.subscribe;
    const resolve = field.resolve;
    if (!subscribe || !resolve) throw new Error(`Subscription.${field.name} needs both a subscribe and a resolver`);
    const rules = policy?.kind === 'rules' ? policy.anyOf : null;
    field.subscribe = async (source, args, context, info) => {
      if (rules) {
        const decision = decideAccess((context as Context).viewer, rules, undefined);
        if (!decision.allowed) {
          throw decision.code === 'UNAUTHENTICATED' ? authenticationRequired(rules) : forbidden(rules);
        }
      }
      const events: unknown = await subscribe(source, args, context, info);
      if (!isAsyncIterator(events)) return events;
      return readableOnly(events, (event) => resolve(event, args, context, info), (context as Context).log);
    };
    field.resolve = deliverResolved;
  }
}

/** The event as this subscriber already read it (readableOnly). */
const deliverResolved: GraphQLFieldResolver<unknown, unknown> = (resolved) => resolved;

/**
 * The events the subscriber may read, resolved. Written by hand, not as an async generator:
 * a generator waiting for its next event cannot be returned from until one arrives, and
 * graphql-ws returns every subscription of a socket that closes.
 */
function readableOnly(
  events: AsyncIterator<unknown>,
  read: (event: unknown) => unknown,
  log: Logger,
): AsyncIterableIterator<unknown> {
  const next = async (): Promise<IteratorResult<unknown>> => {
    for (;;) {
      const event = await events.next();
      if (event.done) return event;
      let resolved: unknown;
      try {
        resolved = await read(event.value);
      } catch (error) {
        log.error({ err: error }, 'could not re-read an event for a subscriber; skipped it for them');
        continue;
      }
      if (resolved !== null && resolved !== undefined) return { value: resolved, done: false };
    }
  };
  const end = async (): Promise<IteratorResult<unknown>> => {
    await events.return?.();
    return { value: undefined, done: true };
  };
  return {
    next,
    return: end,
    throw: async (error?: unknown) => {
      await end();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function isAsyncIterator(value: unknown): value is AsyncIterator<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AsyncIterator<unknown>).next === 'function' &&
    Symbol.asyncIterator in value
  );
}
