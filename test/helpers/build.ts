import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(__dirname, '../..');

export interface BuiltApp {
  /** `node <entry>` starts the server (dist/src/index.js's equivalent). */
  readonly entry: string;
  /** Where the compiled files are; pass NODE_PATH=nodeModules to the child so it finds the dependencies. */
  readonly dir: string;
  readonly nodeModules: string;
}

let built: BuiltApp | undefined;

/**
 * Compiles src/ into a temporary directory for tests that start the server as a real
 * process, in about a second: each file is transpiled on its own with the build's
 * compiler options, as ts-jest does for every other test (isolatedModules), instead of
 * a full `tsc` build (twenty seconds here); `npm run typecheck` checks the types.
 * Once per jest worker; removed when the worker exits.
 */
export function buildApp(): BuiltApp {
  if (built) return built;
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(root, 'tsconfig.build.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error('tsconfig.build.json could not be read');
  const dir = mkdtempSync(path.join(tmpdir(), 'tollgate-build-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  for (const file of sourceFiles(path.join(root, 'src'))) {
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: { ...config.options, sourceMap: false, inlineSourceMap: false },
      fileName: file,
    });
    const out = path.join(dir, path.relative(root, file)).replace(/\.ts$/, '.js');
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, outputText);
  }
  built = { entry: path.join(dir, 'src', 'index.js'), dir, nodeModules: path.join(root, 'node_modules') };
  return built;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return file.endsWith('.ts') && !file.endsWith('.d.ts') ? [file] : [];
  });
}
