import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy of the test's own between the app and a shared service (PostgreSQL,
 * Redis), so an outage can be staged without touching the service others use.
 */
export interface TcpProxy {
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string;
  /** The service goes away: open connections are reset and new ones refused (ECONNREFUSED). */
  cut(): Promise<void>;
  /**
   * The network goes silent: connections stay open but nothing passes either way, and
   * new ones are accepted and never answered (a partition, not a crash).
   */
  freeze(): void;
  /** Back to normal: new connections reach the service (frozen ones are reset: clients reconnect). */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Socket>();
  let frozen = false;
  let server: Server;
  let port = 0;

  const accept = (client: Socket) => {
    pairs.add(client);
    client.on('close', () => pairs.delete(client));
    client.on('error', () => undefined);
    if (frozen) return; // accepted, never answered
    const upstream = connect(target.port, target.host);
    pairs.add(upstream);
    upstream.on('close', () => {
      pairs.delete(upstream);
      if (!frozen) client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => {
      if (!frozen) upstream.destroy();
    });
    client.on('data', (chunk) => {
      if (!frozen) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!frozen) client.write(chunk);
    });
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer(accept);
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  const resetAll = () => {
    for (const socket of pairs) socket.resetAndDestroy();
    pairs.clear();
  };

  await listen();
  return {
    get port() {
      return port;
    },
    via(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    async cut() {
      frozen = false;
      const closed = stopListening();
      resetAll();
      await closed;
    },
    freeze() {
      frozen = true;
    },
    async restore() {
      if (frozen) {
        frozen = false;
        resetAll();
      }
      if (!server.listening) await listen();
    },
    async close() {
      frozen = false;
      const closed = stopListening();
      resetAll();
      await closed;
    },
  };
}
