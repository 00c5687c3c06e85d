import autocannon from 'autocannon';

/** One autocannon run from its own process, so the load generator never shares a core's time slice with the server's event loop. */
export interface LoadSpec {
  readonly url: string;
  readonly connections: number;
  readonly duration: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly total: number;
  readonly errors: number;
  readonly non2xx: number;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]!) as LoadSpec;
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(spec.url)) throw new Error('the benchmark only ever targets 127.0.0.1');
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.duration,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...spec.headers },
    body: spec.body,
  });
  const out: LoadResult = {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

void main();
