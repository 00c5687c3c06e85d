import type { GraphQLSchema } from 'graphql';
import { buildAppSchema } from './schema';

/**
 * The schema's shape does not depend on the services, so printing it needs none:
 * resolvers are built but never called.
 */
export function buildSchemaForPrinting(): Promise<GraphQLSchema> {
  // Every service is the same proxy, which throws if a resolver ever reached it.
  const unused = new Proxy(
    {},
    {
      get() {
        throw new Error('Services are not available while printing the schema');
      },
    },
  ) as never;
  return buildAppSchema({ users: unused, auth: unused, sessions: unused, accounts: unused, auditEvents: unused });
}
