/** React bindings of @tollgate/client. */
export { TollgateProvider, useTollgate, useSession, useViewer, useCan } from './tollgate-react';
export type { TollgateProviderProps } from './tollgate-react';
