import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { LoadResult, LoadSpec } from './drivers/load';
import { DIST } from './paths';
import { HOST } from './shared';

/** A benchmark server, running in a child process of its own. */
export interface Server {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  /** The server's ready line: its port, and tokens for the Tollgate servers. */
  readonly info: { port: number; userId?: string; userToken?: string; adminToken?: string };
}

const children: ChildProcess[] = [];
// However the runner ends, no server is left behind holding its port.
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));

/** Starts dist/bench/servers/<script>.js and resolves once it prints its ready line. */
export function startServer(name: string, script: string, env: Record<string, string> = {}): Promise<Server> {
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

/** Stops one server and waits until its process has exited. */
export async function stopServer(server: Server): Promise<void> {
  server.child.kill('SIGTERM');
  await new Promise((resolve) => server.child.once('exit', resolve));
}

/** Asks every server still running to stop, and gives them half a second to do so. */
export async function stopAllServers(): Promise<void> {
  children.forEach((child) => child.kill('SIGTERM'));
  await new Promise((resolve) => setTimeout(resolve, 500));
}

/** Runs dist/bench/drivers/<script>.js to completion; its last line of output is its JSON result. */
export function runDriver<T>(script: string, args: string[]): Promise<T> {
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

/** One autocannon run against a server, from a process of its own. */
export const load = (spec: LoadSpec) => runDriver<LoadResult>('load', [JSON.stringify(spec)]);
