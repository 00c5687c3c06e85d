import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildSchemaForPrinting } from '../../src/app';
import { README_END, README_START, withMatrix } from '../../src/cli/print-policies';
import { permissionMatrix } from '../../src/graphql/permission-matrix';
import { MODULES } from '../../src/modules';

const root = path.resolve(__dirname, '../..');
const src = path.join(root, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return file.endsWith('.ts') ? [file] : [];
  });
}

/** Every relative import of a file, as a path from the repository root without extension. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((match) =>
    path.relative(root, path.resolve(path.dirname(file), match[1]!)),
  );
}

const moduleOf = (relative: string) => /^src\/modules\/([^/]+)\//.exec(relative)?.[1] ?? null;
const files = sourceFiles(src).map((file) => ({ file: path.relative(root, file), imports: importsOf(file) }));

describe('the code layout', () => {
  it('lets nothing outside src/modules/ reach into a module: only the list and the contract', () => {
    const allowed = new Set(['src/modules', 'src/modules/index', 'src/modules/module']);
    const reaching = files
      .filter(({ file }) => !file.startsWith('src/modules/'))
      .flatMap(({ file, imports }) =>
        imports.filter((to) => to.startsWith('src/modules') && !allowed.has(to)).map((to) => `${file} → ${to}`),
      );
    expect(reaching).toEqual([]);
  });

  it('has no two modules importing each other, directly or in a cycle', () => {
    const edges = new Map<string, Set<string>>();
    for (const { file, imports } of files) {
      const from = moduleOf(file);
      if (!from) continue;
      for (const to of imports.map(moduleOf)) {
        if (to && to !== from) edges.set(from, (edges.get(from) ?? new Set()).add(to));
      }
    }
    const cycles: string[] = [];
    const visit = (node: string, trail: string[]) => {
      if (trail.includes(node)) return void cycles.push([...trail, node].join(' → '));
      for (const next of edges.get(node) ?? []) visit(next, [...trail, node]);
    };
    for (const node of edges.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });

  it('lists every module folder once, under its own name, and each module uses only those listed before it', () => {
    const folders = readdirSync(path.join(src, 'modules')).filter((name) =>
      statSync(path.join(src, 'modules', name)).isDirectory(),
    );
    expect(MODULES.map((module) => module.name).sort()).toEqual(folders.sort());
    const position = new Map(MODULES.map((module, i) => [module.name, i]));
    const lateImports = files.flatMap(({ file, imports }) => {
      const from = moduleOf(file);
      return from
        ? imports
            .map(moduleOf)
            .filter((to): to is string => !!to && position.get(to)! > position.get(from)!)
            .map((to) => `${from} → ${to}`)
        : [];
    });
    expect(lateImports).toEqual([]);
  });

  it('gives every migration a unique, ordered NNNN_ name', () => {
    const names = MODULES.flatMap((module) => Object.keys(module.migrations ?? {}));
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^\d{4}_[a-z0-9_]+$/);
  });
});

describe('the permission matrix in the README', () => {
  it('is the one `npm run policies` prints (run `npm run policies -- --readme` after changing a policy)', async () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme).toContain(README_START);
    expect(readme).toContain(README_END);
    const matrix = permissionMatrix(await buildSchemaForPrinting());
    // Compared cell by cell: prettier may re-pad the table.
    const cells = (text: string) =>
      text
        .split('\n')
        .filter((line) => line.startsWith('|'))
        .map((line) =>
          line
            .split('|')
            .map((cell) => cell.trim())
            .join('|'),
        );
    expect(cells(readme)).toEqual(cells(withMatrix(readme, matrix)));
  });
});
