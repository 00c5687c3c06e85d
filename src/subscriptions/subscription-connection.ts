import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import type { ClientInfo } from '../auth/client-info';
import type { Viewer } from '../auth/tokens';
import type { Context, RefreshCookie } from '../context';
import type { Logger } from '../logger';
import type { TrackedConnection } from './connection-registry';

/** One open socket: what the registry tracks, and what each operation's context is made of. */
export class Connection implements TrackedConnection {
  viewer: Viewer | null = null;

  constructor(
    readonly socket: WebSocket,
    readonly address: string,
    readonly client: ClientInfo,
    readonly log: Logger,
  ) {}

  /** `reason`: one word from a closed list (close-codes.ts) or graphql-ws's own protocol text; never a secret. */
  close(code: number, reason: string): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(code, reason);
  }

  /** The context of one operation: the connection's viewer, a request id of its own. */
  contextFor(): Context {
    const requestId = randomUUID();
    return {
      requestId,
      viewer: this.viewer,
      client: this.client,
      refreshCookie: NO_COOKIES,
      log: this.log.child({ reqId: requestId }),
    };
  }
}

/** Only subscriptions run over WebSocket, and none of them touches the refresh cookie. */
const NO_COOKIES: RefreshCookie = Object.freeze({
  presented: null,
  set() {
    throw new Error('There is no refresh cookie over WebSocket');
  },
  clear() {
    throw new Error('There is no refresh cookie over WebSocket');
  },
});
