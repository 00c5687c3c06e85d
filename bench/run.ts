import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { LoadResult, LoadSpec } from './drivers/load';
import { BENCH_PASSWORD, HOST, ME_QUERY, USERS_QUERY } from './shared';

/**
 * `npm run bench`: starts every server on 127.0.0.1, drives each from a separate
 * process, interleaves the cases round by round so machine drift hits all alike,
 * prints one table and writes bench/results/<date>.json.
 *
 * BENCH_QUICK=1 shortens every phase (for trying the harness, not for numbers).
 */
const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = QUICK ? 1 : 3;
const SECONDS = QUICK ? 3 : 10;
const STORM_SECONDS = QUICK ? 5 : 15;
const SOAK_SECONDS = QUICK ? 20 : 300;
const CONNECTIONS = 50;
const DIST = path.resolve(__dirname, '..');
const ROOT = path.resolve(DIST, '..');
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Server {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  /** The server's ready line: its port, and tokens for the Tollgate servers. */
  readonly info: { port: number; userId?: string; userToken?: string; adminToken?: string };
}

const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));

function startServer(name: string, script: string, env: Record<string, string> = {}): Promise<Server> {
  const child = spawn(process.execPath, [path.join(DIST, 'bench/servers', `${script}.js`)], {
    // graphql-js and Apollo take their fast paths only under NODE_ENV=production, as deployed.
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.startsWith('{"ready"'));
      if (line) {
        const info = JSON.parse(line);
        resolve({ name, child, info, url: `http://${HOST}:${info.port}/graphql` });
      }
    });
    child.on('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready`)));
  });
}

function runDriver<T>(script: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', path.join(DIST, 'bench/drivers', `${script}.js`), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1)!))
        : reject(new Error(`${script} failed (${code})`)),
    );
  });
}

const load = (spec: LoadSpec) => runDriver<LoadResult>('load', [JSON.stringify(spec)]);

/** Peak resident memory of a process so far (Linux VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface CaseSpec {
  readonly name: string;
  readonly server: Server;
  readonly body: string;
  readonly token?: string;
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'tollgate-bench-'));
  const pgDatabase = `tollgate_bench_${Date.now()}`;
  let pgAvailable = false;
  try {
    console.log(
      `Tollgate benchmark: ${cpus().length} cores, ${ROUNDS} round(s) of ${SECONDS}s per case, ${CONNECTIONS} connections.`,
    );
    const tollgate = await startServer('tollgate', 'tollgate', {
      BENCH_DATABASE_URL: `file:${scratch}/authz.db`,
      BENCH_DATA_DIR: scratch,
    });
    const tollgateNoAuthz = await startServer('tollgate (authorization off)', 'tollgate', {
      BENCH_DATABASE_URL: `file:${scratch}/noauthz.db`,
      BENCH_DATA_DIR: scratch,
      BENCH_AUTHZ: 'off',
    });
    const meBody = JSON.stringify({ query: ME_QUERY });
    const sample = await fetch(tollgate.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tollgate.info.userToken}` },
      body: meBody,
    });
    const sampleText = await sample.text();
    const raw = await startServer('raw node:http', 'raw', { BENCH_BODY: sampleText });
    const apollo = await startServer('bare Apollo (standalone, no auth)', 'apollo-bare', {
      BENCH_USER_ID: tollgate.info.userId!,
    });
    const yoga = await startServer('Yoga + plugin-jwt', 'yoga-jwt');

    const userToken = tollgate.info.userToken as string;
    const cases: CaseSpec[] = [
      { name: 'raw node:http', server: raw, body: meBody },
      { name: 'bare Apollo 5, no auth', server: apollo, body: meBody },
      { name: 'Yoga + plugin-jwt', server: yoga, body: meBody, token: userToken },
      { name: 'Tollgate me (bearer + policies)', server: tollgate, body: meBody, token: userToken },
      {
        name: 'Tollgate users(first:100), authz on',
        server: tollgate,
        body: JSON.stringify({ query: USERS_QUERY }),
        token: tollgate.info.adminToken,
      },
      {
        name: 'Tollgate users(first:100), authz off',
        server: tollgateNoAuthz,
        body: JSON.stringify({ query: USERS_QUERY }),
        token: tollgateNoAuthz.info.adminToken,
      },
    ];
    // Warm-up: JIT and caches, for every case, before any number is kept.
    for (const c of cases) {
      await load({
        url: c.server.url,
        connections: CONNECTIONS,
        duration: 2,
        body: c.body,
        headers: c.token ? { authorization: `Bearer ${c.token}` } : {},
      });
    }
    const runs = new Map<string, LoadResult[]>(cases.map((c) => [c.name, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const c of cases) {
        const result = await load({
          url: c.server.url,
          connections: CONNECTIONS,
          duration: SECONDS,
          body: c.body,
          headers: c.token ? { authorization: `Bearer ${c.token}` } : {},
        });
        runs.get(c.name)!.push(result);
        console.log(
          `  round ${round} ${c.name}: ${result.requestsPerSecond.toFixed(0)} req/s, p99 ${result.p99Ms} ms${result.non2xx || result.errors ? `, ${result.non2xx} non-2xx, ${result.errors} errors` : ''}`,
        );
      }
    }
    const throughput = cases.map((c) => {
      const results = runs.get(c.name)!;
      return {
        case: c.name,
        requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
        p50Ms: median(results.map((r) => r.p50Ms)),
        p99Ms: median(results.map((r) => r.p99Ms)),
        peakRssMb: peakRssMb(c.server.child.pid!),
        errors: results.reduce((n, r) => n + r.errors + r.non2xx, 0),
      };
    });
    // Ratios are taken round by round (the two runs sat next to each other in time), then the median:
    // the machine's drift between rounds cancels out, which a ratio of medians would not do.
    const ratio = (name: string, baseline: string, field: 'requestsPerSecond' | 'p99Ms' = 'requestsPerSecond') =>
      median(runs.get(name)!.map((r, i) => r[field] / runs.get(baseline)![i]![field]));
    const APOLLO = 'bare Apollo 5, no auth';
    const RAW = 'raw node:http';
    const ME = 'Tollgate me (bearer + policies)';
    const AUTHZ_ON = 'Tollgate users(first:100), authz on';
    const AUTHZ_OFF = 'Tollgate users(first:100), authz off';

    // Login storm: logins at the argon2 limit while authenticated `me` traffic continues.
    const argon2 = await runDriver<{ verifiesPerSecond: number }>('argon2-rate', ['2', String(SECONDS)]);
    await fetch(tollgate.url.replace('/graphql', '/__bench/stats'));
    const loginBody = JSON.stringify({
      query: 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
      variables: { e: 'user@bench.test', p: BENCH_PASSWORD },
    });
    // Logins alone first: what the login path gets of the argon2 limit with nothing else running.
    const loginsAlone = await load({ url: tollgate.url, connections: 8, duration: STORM_SECONDS, body: loginBody });
    await fetch(tollgate.url.replace('/graphql', '/__bench/stats'));
    const [storm, meDuringStorm] = await Promise.all([
      load({ url: tollgate.url, connections: 8, duration: STORM_SECONDS, body: loginBody }),
      load({
        url: tollgate.url,
        connections: 10,
        duration: STORM_SECONDS,
        body: meBody,
        headers: { authorization: `Bearer ${userToken}` },
      }),
    ]);
    const stormStats = (await (await fetch(tollgate.url.replace('/graphql', '/__bench/stats'))).json()) as Record<
      string,
      number
    >;

    // Refresh throughput on SQLite and, when reachable, PostgreSQL.
    const refresh: Record<string, LoadResult | null> = {};
    const refreshSpec = { email: 'user@bench.test', password: BENCH_PASSWORD, chains: 20, duration: SECONDS };
    refresh.sqlite = await runDriver<LoadResult>('refresh-load', [
      JSON.stringify({ ...refreshSpec, url: tollgate.url }),
    ]);
    try {
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      await admin.query(`create database ${pgDatabase}`);
      await admin.end();
      pgAvailable = true;
      const pgUrl = new URL(POSTGRES_URL);
      pgUrl.pathname = `/${pgDatabase}`;
      const onPostgres = await startServer('tollgate (PostgreSQL)', 'tollgate', {
        BENCH_DATABASE_URL: pgUrl.toString(),
        BENCH_DATA_DIR: scratch,
      });
      refresh.postgres = await runDriver<LoadResult>('refresh-load', [
        JSON.stringify({ ...refreshSpec, url: onPostgres.url }),
      ]);
      onPostgres.child.kill('SIGTERM');
      await new Promise((resolve) => onPostgres.child.once('exit', resolve));
    } catch (error) {
      console.log(`  PostgreSQL refresh case skipped: ${(error as Error).message}`);
      refresh.postgres = null;
    }

    // Soak: steady `me` traffic; RSS after warm-up and at the end.
    const warm = Math.min(20, SOAK_SECONDS / 4);
    const soakPromise = load({
      url: tollgate.url,
      connections: CONNECTIONS,
      duration: SOAK_SECONDS,
      body: meBody,
      headers: { authorization: `Bearer ${userToken}` },
    });
    await new Promise((resolve) => setTimeout(resolve, warm * 1000));
    const rssStart = rssMb(tollgate.child.pid!);
    const soak = await soakPromise;
    const rssEnd = rssMb(tollgate.child.pid!);

    const revocation = await runDriver<Record<string, number>>('revocation-scale', []);

    const authorizationOverhead = 1 - ratio(AUTHZ_ON, AUTHZ_OFF);
    const results: Results = {
      date: new Date().toISOString(),
      machine: { cores: cpus().length, node: process.version },
      method: { rounds: ROUNDS, secondsPerRun: SECONDS, connections: CONNECTIONS, quick: QUICK },
      throughput: throughput.map((t) => ({
        ...t,
        vsBareApollo: ratio(t.case, APOLLO),
        vsRaw: ratio(t.case, RAW),
        rounds: runs.get(t.case)!.map((r) => Math.round(r.requestsPerSecond)),
      })),
      authorizationOverhead,
      loginStorm: {
        rawArgon2VerifiesPerSecond: argon2.verifiesPerSecond,
        loginsAlonePerSecond: loginsAlone.requestsPerSecond,
        loginsAloneVsRawArgon2: loginsAlone.requestsPerSecond / argon2.verifiesPerSecond,
        loginsPerSecond: storm.requestsPerSecond,
        vsRawArgon2: storm.requestsPerSecond / argon2.verifiesPerSecond,
        loginP99Ms: storm.p99Ms,
        meDuringStormRequestsPerSecond: meDuringStorm.requestsPerSecond,
        meDuringStormP99Ms: meDuringStorm.p99Ms,
        eventLoopDelayP99Ms: stormStats.eventLoopDelayP99Ms,
        eventLoopDelayMaxMs: stormStats.eventLoopDelayMaxMs,
        errors: storm.errors + storm.non2xx + meDuringStorm.errors + meDuringStorm.non2xx,
      },
      refresh,
      soak: {
        seconds: SOAK_SECONDS,
        requestsPerSecond: soak.requestsPerSecond,
        rssAfterWarmupMb: rssStart,
        rssEndMb: rssEnd,
        rssGrowth: rssEnd / rssStart - 1,
        errors: soak.errors,
        non2xx: soak.non2xx,
      },
      revocationList: revocation,
      targets: {
        meVsBareApollo: ratio(ME, APOLLO),
        meP99VsBareApollo: ratio(ME, APOLLO, 'p99Ms'),
        authorizationOverheadAtMost10Percent: authorizationOverhead <= 0.1,
        loginStormAtLeast90PercentOfArgon2: storm.requestsPerSecond / argon2.verifiesPerSecond >= 0.9,
        loginsAloneAtLeast90PercentOfArgon2: loginsAlone.requestsPerSecond / argon2.verifiesPerSecond >= 0.9,
        meP99UnderStormBelow50Ms: meDuringStorm.p99Ms < 50,
        soakRssWithin10Percent: Math.abs(rssEnd / rssStart - 1) <= 0.1 && soak.errors + soak.non2xx === 0,
      },
    };
    printTable(results);
    const file = path.join(
      ROOT,
      'bench/results',
      `${results.date.slice(0, 19).replace(/[:T]/g, '-')}${QUICK ? '.quick' : ''}.json`,
    );
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    if (!QUICK) writeFileSync(path.join(ROOT, 'bench/results/latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nResults written to ${path.relative(ROOT, file)}`);
  } finally {
    children.forEach((child) => child.kill('SIGTERM'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    rmSync(scratch, { recursive: true, force: true });
    if (pgAvailable) {
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      await admin.query(`drop database if exists ${pgDatabase} with (force)`);
      await admin.end();
    }
  }
}

type Results = {
  date: string;
  machine: { cores: number; node: string };
  method: { rounds: number; secondsPerRun: number; connections: number; quick: boolean };
  throughput: Array<{
    case: string;
    requestsPerSecond: number;
    p50Ms: number;
    p99Ms: number;
    peakRssMb: number;
    errors: number;
    vsBareApollo: number;
    vsRaw: number;
    rounds: number[];
  }>;
  authorizationOverhead: number;
  loginStorm: Record<string, number>;
  refresh: Record<string, LoadResult | null>;
  soak: Record<string, number>;
  revocationList: Record<string, number>;
  targets: Record<string, number | boolean>;
};

function printTable(results: Results): void {
  const pad = (s: string, n: number) => s.padEnd(n);
  const num = (n: number, d = 0) => n.toFixed(d).padStart(8);
  console.log(`\n${pad('case', 40)}   req/s   p50 ms   p99 ms  peak MB  vs Apollo  vs raw`);
  for (const t of results.throughput) {
    console.log(
      `${pad(t.case, 40)}${num(t.requestsPerSecond)} ${num(t.p50Ms, 1)} ${num(t.p99Ms, 1)} ${num(t.peakRssMb)} ${num(t.vsBareApollo, 2)}× ${num(t.vsRaw, 2)}×`,
    );
  }
  const s = results.loginStorm;
  console.log(
    `\nfield-level authorization overhead on users(first:100): ${(results.authorizationOverhead * 100).toFixed(1)}%`,
  );
  console.log(
    `logins alone: ${s.loginsAlonePerSecond.toFixed(1)}/s (${(s.loginsAloneVsRawArgon2 * 100).toFixed(0)}% of raw argon2)`,
  );
  console.log(
    `login storm: ${s.loginsPerSecond.toFixed(1)} logins/s vs raw argon2 ${s.rawArgon2VerifiesPerSecond.toFixed(1)}/s (${(s.vsRawArgon2 * 100).toFixed(0)}%), me p99 during storm ${s.meDuringStormP99Ms} ms, event-loop delay p99 ${s.eventLoopDelayP99Ms.toFixed(1)} ms`,
  );
  for (const [db, r] of Object.entries(results.refresh) as Array<[string, LoadResult | null]>) {
    console.log(
      `refresh on ${db}: ${r ? `${r.requestsPerSecond.toFixed(0)}/s, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, ${r.errors} failures` : 'skipped'}`,
    );
  }
  const k = results.soak;
  console.log(
    `soak ${k.seconds}s: ${k.requestsPerSecond.toFixed(0)} req/s, RSS ${k.rssAfterWarmupMb.toFixed(0)} → ${k.rssEndMb.toFixed(0)} MB (${(k.rssGrowth * 100).toFixed(1)}%), ${k.errors} errors, ${k.non2xx} non-2xx`,
  );
  const r = results.revocationList;
  console.log(
    `revocation list: ${r.entries} ended sessions, lookup ${r.lookupNsEmpty.toFixed(0)} ns empty → ${r.lookupNsFull.toFixed(0)} ns full, ${(r.heapBytes / 1048576).toFixed(0)} MB (${r.bytesPerEntry.toFixed(0)} B/entry)`,
  );
  console.log('\ntargets:', JSON.stringify(results.targets));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
