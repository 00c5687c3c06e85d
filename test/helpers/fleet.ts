import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode } from 'graphql';
import type { GraphQLResponse } from './test-server';

/**
 * Tollgate as an operator runs it: compiled once with tsc, then started as separate
 * `node src/index.js` processes, each with its own memory, talking to each other only
 * through the stores they share. Nothing here imports the app.
 */

const ROOT = path.resolve(__dirname, '../..');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const SERVING = 'Tollgate is serving GraphQL at ';
const METRICS = 'Prometheus metrics at ';

export interface CompiledApp {
  /** `node <entry>` starts the server. */
  readonly entry: string;
  /** Where tsc wrote it (`<dir>/src/…`). */
  readonly dir: string;
  readonly buildMs: number;
  remove(): void;
}

/**
 * A real `tsc -p tsconfig.build.json` (type-checked, as `npm run build` does) into a directory of
 * its own, which resolves packages from the repository's node_modules. (helpers/build.ts
 * transpiles file by file instead: faster, without type-checking.)
 */
export async function compileApp(): Promise<CompiledApp> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tollgate-fleet-build-'));
  const started = performance.now();
  const { code, output } = await run(process.execPath, [TSC, '-p', 'tsconfig.build.json', '--outDir', dir], ROOT);
  const buildMs = performance.now() - started;
  if (code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`tsc -p tsconfig.build.json failed (exit ${code}):\n${output}`);
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return {
    entry: path.join(dir, 'src', 'index.js'),
    dir,
    buildMs,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The migrations the build carries: `src/modules/<module>/migrations/NNNN_name.js`, by name. */
export function compiledMigrationNames(build: CompiledApp): string[] {
  const modules = path.join(build.dir, 'src', 'modules');
  return readdirSync(modules, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(modules, entry.name, 'migrations')))
    .flatMap((entry) => readdirSync(path.join(modules, entry.name, 'migrations')))
    .filter((file) => /^\d{4}_\w+\.js$/.test(file))
    .map((file) => file.replace(/\.js$/, ''))
    .sort();
}

function run(command: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** One parsed line of an instance's JSON log (pino), or `{ msg }` for a line that was not JSON. */
export interface LogLine {
  readonly level?: number;
  readonly msg?: string;
  readonly [field: string]: unknown;
}

/** pino's numeric level for `error`. */
export const ERROR_LEVEL = 50;

export interface RequestOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
}

export interface ProbeAnswer {
  readonly status: number;
  readonly body: { readonly status?: string; readonly checks?: Readonly<Record<string, string>> };
}

export interface Instance {
  readonly name: string;
  /** `http://127.0.0.1:<port>`, as the process announced it. */
  readonly baseUrl: string;
  readonly pid: number;
  /** Every line it has written to stdout, parsed. */
  readonly log: readonly LogLine[];
  /** Non-null once the process has exited. */
  readonly exitStatus: { readonly code: number | null; readonly signal: NodeJS.Signals | null } | null;
  /** Where it serves /metrics, when METRICS_PORT is set. */
  readonly metricsUrl: string | null;
  /** Requests sent through execute() and not answered yet. */
  readonly inFlight: number;
  /** POST /graphql. Rejects only when no HTTP answer came (the process is gone, the connection was reset). */
  execute<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables?: TVariables,
    options?: RequestOptions,
  ): Promise<GraphQLResponse<TData>>;
  /** GET /readyz. */
  readiness(): Promise<ProbeAnswer>;
  /** The sum of every sample of one metric (all label values) on the metrics listener. */
  metric(name: string): Promise<number>;
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Every process a Fleet started, so that none outlives the test run, whatever happens to it. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export class Fleet {
  /** Every instance started, in order, running or not. */
  readonly instances: Instance[] = [];
  private readonly dirs: string[] = [];

  constructor(
    private readonly entry: string,
    /** The environment every instance shares (the deployment's configuration). */
    private readonly env: Readonly<Record<string, string>>,
  ) {}

  /**
   * Starts `node <entry>` on an ephemeral port with a data directory of its own, and resolves
   * once it has announced its URL (not yet ready: see waitUntilReady). Rejects, with its
   * output, if it exits or stays silent first.
   */
  async start(name: string, timeoutMs = 30_000): Promise<Instance> {
    const dataDir = mkdtempSync(path.join(tmpdir(), `tollgate-fleet-${name}-`));
    this.dirs.push(dataDir);
    const child = spawn(process.execPath, [this.entry], {
      cwd: dataDir,
      // Only what the deployment sets: nothing of jest's environment (NODE_ENV=test, …) leaks in.
      env: { PATH: process.env.PATH ?? '', ...this.env, HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    const instance = new ProcessInstance(name, child);
    this.instances.push(instance);
    await instance.announced(timeoutMs);
    return instance;
  }

  /** Polls /readyz until it answers 200. */
  async waitUntilReady(instance: Instance, timeoutMs = 30_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let last = 'no answer';
    while (performance.now() < deadline) {
      if (instance.exitStatus) throw new Error(`${instance.name} exited before it was ready:\n${tail(instance)}`);
      try {
        const answer = await instance.readiness();
        if (answer.status === 200) return;
        last = `${answer.status} ${JSON.stringify(answer.body)}`;
      } catch (error) {
        last = String(error);
      }
      await sleep(50);
    }
    throw new Error(`${instance.name} was not ready within ${timeoutMs} ms (last: ${last}):\n${tail(instance)}`);
  }

  /** Stops every instance still running (SIGTERM, then SIGKILL) and removes the data directories. */
  async stopAll(): Promise<void> {
    await Promise.all(this.instances.map((instance) => instance.stop()));
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}

class ProcessInstance implements Instance {
  readonly log: LogLine[] = [];
  readonly pid: number;
  baseUrl = '';
  exitStatus: Instance['exitStatus'] = null;
  inFlight = 0;
  private stderr = '';
  private readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    this.pid = child.pid ?? -1;
    // Read everything it writes: a full pipe would block its event loop.
    let partial = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) if (line.trim()) this.log.push(parseLine(line));
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-20_000);
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        running.delete(child);
        resolve();
      });
    });
  }

  /** Announced in the line after the GraphQL URL. */
  get metricsUrl(): string | null {
    const line = this.log.find((each) => typeof each.msg === 'string' && each.msg.startsWith(METRICS));
    return line ? line.msg!.slice(METRICS.length) : null;
  }

  get stderrText(): string {
    return this.stderr;
  }

  async announced(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const line = this.log.find((each) => typeof each.msg === 'string' && each.msg.startsWith(SERVING));
      if (line) {
        this.baseUrl = new URL(line.msg!.slice(SERVING.length)).origin;
        return;
      }
      if (this.exitStatus) throw new Error(`${this.name} exited while starting:\n${tail(this)}`);
      await sleep(20);
    }
    throw new Error(`${this.name} did not announce its URL within ${timeoutMs} ms:\n${tail(this)}`);
  }

  async execute<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables?: TVariables,
    options: RequestOptions = {},
  ): Promise<GraphQLResponse<TData>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    this.inFlight += 1;
    try {
      const response = await fetch(`${this.baseUrl}/graphql`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query: printed(document), variables: variables ?? {} }),
      });
      const body = (await response.json()) as Pick<GraphQLResponse<TData>, 'data' | 'errors'>;
      return { status: response.status, headers: response.headers, data: body.data, errors: body.errors };
    } finally {
      this.inFlight -= 1;
    }
  }

  async readiness(): Promise<ProbeAnswer> {
    const response = await fetch(`${this.baseUrl}/readyz`);
    return { status: response.status, body: (await response.json()) as ProbeAnswer['body'] };
  }

  async metric(name: string): Promise<number> {
    if (!this.metricsUrl) throw new Error(`${this.name} serves no metrics (METRICS_PORT is not set)`);
    const text = await (await fetch(this.metricsUrl)).text();
    const sample = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm');
    return [...text.matchAll(sample)].reduce((sum, match) => sum + Number(match[1]), 0);
  }

  kill(signal: NodeJS.Signals): void {
    if (!this.exitStatus) this.child.kill(signal);
  }

  async stop(graceMs = 6_000): Promise<void> {
    if (this.exitStatus) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

const documents = new WeakMap<DocumentNode, string>();

function printed(document: DocumentNode): string {
  let text = documents.get(document);
  if (text === undefined) {
    text = print(document);
    documents.set(document, text);
  }
  return text;
}

function parseLine(line: string): LogLine {
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return { msg: line };
  }
}

/** The end of what an instance wrote, for a failure message. */
function tail(instance: Instance): string {
  const stdout = instance.log
    .slice(-20)
    .map((line) => JSON.stringify(line))
    .join('\n');
  const stderr = instance instanceof ProcessInstance ? instance.stderrText.slice(-4000) : '';
  return `--- stdout (last lines) ---\n${stdout}\n--- stderr ---\n${stderr}`;
}

/** Polls `condition` every 10 ms; resolves to the milliseconds it took, or rejects naming `what`. */
export async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<number> {
  const started = performance.now();
  while (!(await condition())) {
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(10);
  }
  return performance.now() - started;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The claims of a JWT, unverified: for reading which session a token belongs to. */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}
