import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchemaForPrinting } from '../app';
import { printAppSchema } from '../graphql/schema';

/** `npm run schema`: writes schema/schema.graphql from the code. */
async function main(): Promise<void> {
  const file = path.resolve(__dirname, '../../../schema/schema.graphql');
  writeFileSync(file, printAppSchema(await buildSchemaForPrinting()));
  console.log(`Wrote ${path.relative(process.cwd(), file)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
