import { freshCodegenOutput, redirectOutputs } from '../helpers/codegen';

const WEB_TARGET = 'web/src/generated/';

describe("the web app's generated hooks (web/src/generated/)", () => {
  it('match the schema and the operations of web/src (run `npm run codegen` after changing either)', () => {
    const { committed, fresh } = freshCodegenOutput(WEB_TARGET);
    expect(Object.keys(fresh)).toContain('graphql.ts');
    expect(committed).toEqual(fresh);
  });

  it('redirects every output of the config, so the check above never writes into the work tree', () => {
    const config = [
      'schema: schema/schema.graphql',
      'generates:',
      '  test/generated/:',
      '    preset: client',
      '  # a comment',
      '  client/src/generated/policies.ts:',
      '    plugins: []',
      '  web/src/generated/:',
      '    documents:',
      "      - '!web/src/generated/**'",
    ].join('\n');
    expect(redirectOutputs(config, '/scratch').split('\n')).toEqual([
      'schema: schema/schema.graphql',
      'generates:',
      '  /scratch/test/generated/:',
      '    preset: client',
      '  # a comment',
      '  /scratch/client/src/generated/policies.ts:',
      '    plugins: []',
      '  /scratch/web/src/generated/:',
      '    documents:',
      "      - '!web/src/generated/**'",
    ]);
  });
});
