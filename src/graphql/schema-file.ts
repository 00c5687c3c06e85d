import type { GraphQLSchema } from 'graphql';
import { buildAppSchema, type SchemaServices } from './schema';

/**
 * The schema's shape does not depend on the services, so printing it needs none:
 * resolvers are built but never called.
 */
export function buildSchemaForPrinting(): Promise<GraphQLSchema> {
  const unused = new Proxy(
    {},
    {
      get() {
        throw new Error('Services are not available while printing the schema');
      },
    },
  );
  const services = unused as SchemaServices[keyof SchemaServices];
  return buildAppSchema({
    users: services,
    auth: services,
    sessions: services,
    accounts: services,
    auditEvents: services,
  } as SchemaServices);
}
