import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema as buildSdl, type GraphQLObjectType } from 'graphql';
import { fieldsWithoutPolicy } from '../../src/graphql/directives';
import { printAppSchema } from '../../src/graphql/schema';
import { buildSchemaForPrinting } from '../../src/app';
import { freshCodegenOutput } from '../helpers/codegen';

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
    const { committed, fresh } = freshCodegenOutput('test/generated/');
    expect(Object.keys(fresh)).toContain('graphql.ts');
    expect(committed).toEqual(fresh);
  });
});
