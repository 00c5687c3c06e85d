import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSchema as buildSdl, type GraphQLObjectType } from 'graphql';
import { fieldsWithoutPolicy } from '../../src/graphql/directives';
import { printAppSchema } from '../../src/graphql/schema';
import { buildSchemaForPrinting } from '../../src/app';

const root = path.resolve(__dirname, '../..');

describe('the schema', () => {
  it('declares a policy on every field of every object type, query and mutation', async () => {
    const schema = await buildSchemaForPrinting();
    expect(fieldsWithoutPolicy(schema)).toEqual([]);
  });

  it('would notice a field without a policy', () => {
    const schema = buildSdl(`
      directive @public on OBJECT | FIELD_DEFINITION
      type Query { open: Secret @public }
      type Secret { guarded: String @public  leaked: String }
    `);
    expect(fieldsWithoutPolicy(schema)).toEqual(['Secret.leaked']);
  });

  it('shows policies in the SDL and in field descriptions (what Apollo Sandbox displays)', async () => {
    const schema = await buildSchemaForPrinting();
    const sdl = printAppSchema(schema);
    expect(sdl).toMatch(/email: String @auth\(requires: \[SELF, ADMIN\]\)/);
    expect(sdl).toMatch(/users\([\s\S]*?\): UserConnection! @auth\(requires: \[ADMIN\]\)/);
    expect(sdl).toMatch(/me: User @public/);
    const email = (schema.getType('User') as GraphQLObjectType).getFields().email!;
    expect(email.description).toContain('Access: the user themself or ADMIN.');
  });

  it('matches the committed schema/schema.graphql (run `npm run schema` after changing types)', async () => {
    const committed = readFileSync(path.join(root, 'schema/schema.graphql'), 'utf8');
    expect(printAppSchema(await buildSchemaForPrinting())).toBe(committed);
  });

  it('matches the committed codegen output (run `npm run codegen` after changing operations)', () => {
    // The codegen CLI is ESM-only inside; run the real binary on the real config, into a scratch directory.
    const scratch = mkdtempSync(path.join(tmpdir(), 'tollgate-codegen-'));
    try {
      const config = readFileSync(path.join(root, 'codegen.yml'), 'utf8');
      expect(config).toContain('test/generated/:');
      const scratchConfig = path.join(scratch, 'codegen.yml');
      writeFileSync(scratchConfig, config.replace('test/generated/:', `${path.join(scratch, 'out')}/:`));
      execFileSync(path.join(root, 'node_modules/.bin/graphql-codegen'), ['--config', scratchConfig, '--silent'], {
        cwd: root,
        stdio: 'pipe',
      });
      const generated = readdirSync(path.join(scratch, 'out')).sort();
      expect(readdirSync(path.join(root, 'test/generated')).sort()).toEqual(generated);
      for (const file of generated) {
        expect(readFileSync(path.join(root, 'test/generated', file), 'utf8')).toBe(
          readFileSync(path.join(scratch, 'out', file), 'utf8'),
        );
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
