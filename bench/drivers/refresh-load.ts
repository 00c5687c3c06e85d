import { performance } from 'node:perf_hooks';

/**
 * Refresh throughput: each chain logs in once, then refreshes with the token it
 * was just given, as fast as it can. Every request consumes a token, so a fixed
 * request body (autocannon) cannot drive this.
 */
interface Spec {
  readonly url: string;
  readonly email: string;
  readonly password: string;
  readonly chains: number;
  readonly duration: number;
}

const REFRESH = 'mutation($t: String) { refresh(refreshToken: $t) { accessToken refreshToken } }';
const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { refreshToken } }';

interface Answer {
  data?: { login?: { refreshToken: string }; refresh?: { refreshToken: string } } | null;
}

async function post(url: string, query: string, variables: object): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Answer;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]!) as Spec;
  if (!spec.url.startsWith('http://127.0.0.1:')) throw new Error('the benchmark only ever targets 127.0.0.1');
  const latencies: number[] = [];
  let failures = 0;
  const tokens = await Promise.all(
    Array.from(
      { length: spec.chains },
      async () => (await post(spec.url, LOGIN, { e: spec.email, p: spec.password })).data!.login!.refreshToken,
    ),
  );
  const end = performance.now() + spec.duration * 1000;
  const started = performance.now();
  await Promise.all(
    tokens.map(async (first) => {
      let token = first;
      while (performance.now() < end) {
        const t0 = performance.now();
        const body = await post(spec.url, REFRESH, { t: token });
        latencies.push(performance.now() - t0);
        if (!body.data) {
          failures++;
          return;
        }
        token = body.data.refresh!.refreshToken;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  process.stdout.write(
    `${JSON.stringify({ requestsPerSecond: latencies.length / seconds, p50Ms: at(0.5), p99Ms: at(0.99), total: latencies.length, errors: failures, non2xx: 0 })}\n`,
  );
}

void main();
