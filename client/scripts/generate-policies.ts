import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generatePoliciesModule } from './policy-codegen';

// Run from the compiled copy in client/dist/scripts/ or from the source: both sit two levels below the repository.
const root = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..');
export const SCHEMA_FILE = path.join(root, 'schema/schema.graphql');
export const POLICIES_FILE = path.join(root, 'client/src/generated/policies.ts');

/** `npm run codegen`: writes client/src/generated/policies.ts from schema/schema.graphql. */
function main(): void {
  writeFileSync(POLICIES_FILE, generatePoliciesModule(readFileSync(SCHEMA_FILE, 'utf8')));
  console.error(`Wrote ${path.relative(process.cwd(), POLICIES_FILE)}`);
}

if (require.main === module) main();
