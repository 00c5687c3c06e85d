import {
  SelectQueryNode,
  TableNode,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import { Role } from '../../src/auth/roles';
import { MODULES } from '../../src/modules';
import type { TollgateModule } from '../../src/modules/module';
import {
  ArticlesDocument,
  CreateArticleDocument,
  PublishArticleDocument,
  SubmitArticleDocument,
} from '../generated/graphql';
import { describeEachDatabase } from '../helpers/databases';
import { startTestServer, type SignedIn, type TestServer } from '../helpers/test-server';

/** Notes the table each SELECT reads, for every query sent through the Kysely it is plugged into. */
class SelectLog implements KyselyPlugin {
  readonly tables: string[] = [];

  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    if (SelectQueryNode.is(node)) {
      for (const from of node.from?.froms ?? []) {
        if (TableNode.is(from)) this.tables.push(from.table.identifier.name);
      }
    }
    return node;
  }

  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result;
  }

  reads(table: string): number {
    return this.tables.filter((name) => name === table).length;
  }
}

/** A module as shipped, but every query it sends passes through `log`. */
function withSelectLog(module: TollgateModule, log: SelectLog): TollgateModule {
  if (!module.createServices) return module;
  return {
    ...module,
    createServices: (infrastructure, services) =>
      module.createServices!(
        { ...infrastructure, database: { ...infrastructure.database, db: infrastructure.database.db.withPlugin(log) } },
        services,
      ),
  };
}

describeEachDatabase('articles: authors are read in batches', (dialect) => {
  const log = new SelectLog();
  let server: TestServer;
  let authors: SignedIn[];
  beforeAll(async () => {
    server = await startTestServer(dialect, {
      // Every module: the authors are read through the user module's service.
      modules: [...MODULES.map((module) => withSelectLog(module, log))],
    });
    const editor = await server.signIn('editor@example.com', [Role.EDITOR]);
    authors = await Promise.all([1, 2, 3, 4].map((i) => server.signIn(`writer-${i}@example.com`)));
    // Twelve published articles, three by each of four authors, interleaved.
    for (let round = 0; round < 3; round++) {
      for (const author of authors) {
        const token = { token: author.accessToken };
        const created = await server.execute(CreateArticleDocument, { input: { title: 't', body: 'b' } }, token);
        const id = created.data!.createArticle.id;
        await server.execute(SubmitArticleDocument, { id }, token);
        await server.execute(PublishArticleDocument, { id, revision: 1 }, { token: editor.accessToken });
        server.clock.advance(1);
      }
    }
  });
  afterAll(() => server.close());
  beforeEach(() => {
    log.tables.length = 0;
  });

  it('reads the authors of a whole page with one query', async () => {
    const page = await server.execute(ArticlesDocument, { first: 12 });
    const nodes = page.data!.articles.edges.map(({ node }) => node);
    expect(nodes).toHaveLength(12);
    // Each author came back right, for all three of their articles.
    const byAuthor = new Map(authors.map((author, i) => [author.id, `writer-${i + 1}`]));
    for (const node of nodes) expect(node.author.displayName).toBe(byAuthor.get(node.author.id));
    expect(new Set(nodes.map((node) => node.author.id)).size).toBe(4);

    expect(log.reads('articles')).toBe(1);
    expect(log.reads('users')).toBe(1);
  });

  it('reads no user at all when no author is asked for', async () => {
    const res = await server.post({ query: '{ articles(first: 12) { edges { node { id title } } } }' });
    expect(((await res.json()) as { errors?: unknown }).errors).toBeUndefined();
    expect(log.tables).toEqual(['articles']);
  });

  it('keeps one loader per request: two requests, one query each, neither answered from the other', async () => {
    const [first, second] = await Promise.all([
      server.execute(ArticlesDocument, { first: 6 }),
      server.execute(ArticlesDocument, { first: 12 }),
    ]);
    expect(first.data!.articles.edges).toHaveLength(6);
    expect(second.data!.articles.edges).toHaveLength(12);
    expect(log.reads('users')).toBe(2);
  });
});
