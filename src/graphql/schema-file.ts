import type { GraphQLSchema } from 'graphql';
import type { AuthService } from '../modules/auth/auth.service';
import type { UserService } from '../modules/user/user.service';
import { buildAppSchema } from './schema';

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
  return buildAppSchema({ users: unused as UserService, auth: unused as AuthService });
}
