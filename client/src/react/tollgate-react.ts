import { ApolloProvider } from '@apollo/client/react';
import { createContext, createElement, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { FieldCoordinate } from '../generated/policies';
import { can, type OwnershipContext } from '../permissions/can';
import type { SessionState, Viewer } from '../session-state';
import type { TollgateClient } from '../tollgate-client';

const TollgateContext = createContext<TollgateClient | null>(null);

export interface TollgateProviderProps {
  readonly client: TollgateClient;
  readonly children?: ReactNode;
}

/** Provides the Tollgate client to the hooks below, and its Apollo Client to Apollo's hooks. */
export function TollgateProvider({ client, children }: TollgateProviderProps): ReactNode {
  return createElement(
    TollgateContext.Provider,
    { value: client },
    createElement(ApolloProvider, { client: client.apollo, children }),
  );
}

export function useTollgate(): TollgateClient {
  const client = useContext(TollgateContext);
  if (!client) throw new Error('useTollgate: no <TollgateProvider> above this component');
  return client;
}

/** The session state, re-rendering on every change (restoring → signedIn → signedOut…). */
export function useSession(): SessionState {
  const client = useTollgate();
  return useSyncExternalStore(client.subscribe, client.getState, client.getState);
}

/** The signed-in viewer, or null. */
export function useViewer(): Viewer | null {
  const state = useSession();
  return state.status === 'signedIn' ? state.viewer : null;
}

/** `can(viewer, coordinate, context)` for the current viewer: hide what the server would refuse. */
export function useCan(coordinate: FieldCoordinate, context?: OwnershipContext): boolean {
  return can(useViewer(), coordinate, context);
}
