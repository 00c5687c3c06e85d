import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP forwarder on 127.0.0.1, pointed at its target later. For a suite whose API must know
 * the page's origin before it starts (PUBLIC_URL, WEBAUTHN_ORIGINS) while `vite preview`, which
 * gives that origin, needs the API's address first: the preview forwards here, and this is
 * pointed at the API once it runs.
 */
export interface Forwarder {
  readonly port: number;
  /** Where connections go; 0 until set (connections made before then are closed). */
  target: number;
  close(): Promise<void>;
}

export async function startForwarder(): Promise<Forwarder> {
  const sockets = new Set<Socket>();
  const forwarder = { port: 0, target: 0, close: async () => undefined as void };
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    if (forwarder.target === 0) return void client.destroy();
    const upstream = connect(forwarder.target, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  forwarder.port = (server.address() as { port: number }).port;
  forwarder.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return forwarder;
}
