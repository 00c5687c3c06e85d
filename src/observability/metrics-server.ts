import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsConfig } from '../config';
import type { Logger } from '../logger';
import type { Metrics } from './metrics';

export const METRICS_PATH = '/metrics';

export interface MetricsServer {
  /** Starts listening; resolves to the base URL (the scrape target is `${url}/metrics`). */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/**
 * `GET /metrics` in Prometheus's text format on a listener of its own, apart from the API:
 * nothing on the API port reveals traffic or failure counts, and the scraper needs no
 * credential. Anything else answers 404.
 */
export function createMetricsServer(config: MetricsConfig, metrics: Metrics, logger: Logger): MetricsServer {
  metrics.collectProcessMetrics();
  const server: Server = createServer((request, response) => {
    const path = request.url?.split('?', 1)[0];
    if (path !== METRICS_PATH || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    metrics.registry.metrics().then(
      (body) => {
        response.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'could not collect metrics');
        response.writeHead(500, { 'content-type': 'text/plain' }).end('Could not collect metrics\n');
      },
    );
  });
  // A scrape is one short request; nothing should hold this listener open.
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 5_000;

  return {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          const { address, port } = server.address() as AddressInfo;
          resolve(`http://${address.includes(':') ? `[${address}]` : address}:${port}`);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
