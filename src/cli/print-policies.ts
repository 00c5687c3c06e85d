import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchemaForPrinting } from '../app';
import { permissionMatrix } from '../graphql/permission-matrix';

export const README_START = '<!-- permission-matrix:start (npm run policies -- --readme) -->';
export const README_END = '<!-- permission-matrix:end -->';

/** The README with its permission-matrix section replaced by `matrix`. */
export function withMatrix(readme: string, matrix: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${README_START} … ${README_END} section`);
  return `${readme.slice(0, start + README_START.length)}\n\n${matrix}\n\n${readme.slice(end)}`;
}

/** `npm run policies`: prints who may read each field; `-- --readme` also rewrites README.md's copy. */
async function main(): Promise<void> {
  const matrix = permissionMatrix(await buildSchemaForPrinting());
  console.log(matrix);
  if (process.argv.includes('--readme')) {
    const file = path.resolve(__dirname, '../../../README.md');
    writeFileSync(file, withMatrix(readFileSync(file, 'utf8'), matrix));
    console.error(`Wrote the matrix into ${path.relative(process.cwd(), file)}`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
