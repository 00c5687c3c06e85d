import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

/**
 * codegen.yml with every output moved under `scratch`: running it writes nothing in the work
 * tree. A target is a key indented by two spaces under `generates:`.
 */
export function redirectOutputs(config: string, scratch: string): string {
  const lines = config.split('\n');
  const generates = lines.findIndex((line) => line === 'generates:');
  if (generates < 0) throw new Error('codegen.yml has no top-level "generates:"');
  return lines
    .map((line, index) => {
      const target = index > generates ? /^ {2}([^\s#'"][^:]*):\s*$/.exec(line)?.[1] : undefined;
      // path.join keeps a directory target's trailing slash, which codegen reads as "a directory".
      return target ? `  ${path.join(scratch, target)}:` : line;
    })
    .join('\n');
}

/**
 * Runs the real codegen binary on the real codegen.yml with every output redirected to a
 * scratch directory, and returns, for `target` (a directory under generates:), the committed
 * and the fresh file contents by name. The codegen CLI is ESM-only inside: a process of its own.
 */
export function freshCodegenOutput(target: string): {
  committed: Record<string, string>;
  fresh: Record<string, string>;
} {
  const scratch = mkdtempSync(path.join(tmpdir(), 'tollgate-codegen-'));
  try {
    const config = readFileSync(path.join(root, 'codegen.yml'), 'utf8');
    if (!config.includes(`\n  ${target}:`)) throw new Error(`codegen.yml has no target ${target}`);
    const scratchConfig = path.join(scratch, 'codegen.yml');
    writeFileSync(scratchConfig, redirectOutputs(config, path.join(scratch, 'out')));
    execFileSync(path.join(root, 'node_modules/.bin/graphql-codegen'), ['--config', scratchConfig, '--silent'], {
      cwd: root,
      stdio: 'pipe',
    });
    return {
      committed: readDirectory(path.join(root, target)),
      fresh: readDirectory(path.join(scratch, 'out', target)),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function readDirectory(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((name) => [name, readFileSync(path.join(dir, name), 'utf8')]),
  );
}
