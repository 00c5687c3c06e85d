import * as operationAuthorization from '../../src/graphql/operation-authorization.plugin';

/**
 * The real Tollgate app (bench/servers/tollgate.ts, same seed, same settings) with the
 * whole-operation authorization plugin replaced by an empty one, in this process only: the
 * baseline that shows what the plugin costs requests that do not ask for it. Nothing in
 * src/ or in configuration can remove it.
 */
(
  operationAuthorization as { operationAuthorizationPlugin: (options: unknown) => object }
).operationAuthorizationPlugin = () => ({});

// Loaded only now (a static import would run first): tollgate.ts builds the app as soon as it
// is loaded, and must find the replacement.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('./tollgate');
