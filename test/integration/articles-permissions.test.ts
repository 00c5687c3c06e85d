import { Kind, isObjectType, type GraphQLSchema } from 'graphql';
import { decideAccess } from '../../src/auth/access';
import { OWNER_EXTENSION, type OwnerOf } from '../../src/auth/policies';
import { Role } from '../../src/auth/roles';
import { buildSchemaForPrinting } from '../../src/app';
import { fieldsWithPolicies } from '../../src/graphql/directives';
import {
  ArticleDocument,
  ArticleFieldsFragmentDoc,
  ArticlesDocument,
  CreateArticleDocument,
  PublishArticleDocument,
  SetArticleReviewNotesDocument,
  SubmitArticleDocument,
  type ArticleStatus,
  type ArticlesQuery,
} from '../generated/graphql';
import { describeEachDatabase } from '../helpers/databases';
import { startTestServer, type SignedIn, type TestServer } from '../helpers/test-server';
import { testViewer } from '../helpers/viewers';

type Caller = 'anonymous' | 'author' | 'another USER' | 'EDITOR' | 'ADMIN';
const CALLERS: readonly Caller[] = ['anonymous', 'author', 'another USER', 'EDITOR', 'ADMIN'];
const STATUSES: readonly ArticleStatus[] = ['DRAFT', 'IN_REVIEW', 'PUBLISHED'];
/** ✓ read, — denied (null and an error at its path), ∅ no article at all (null, no error). */
type Cell = '✓' | '—' | '∅';

/**
 * What the issue says, written out by hand: anyone reads PUBLISHED articles; the author
 * and EDITORs (ADMIN includes EDITOR) read drafts too; reviewNotes only the author and EDITORs.
 */
function specified(caller: Caller, status: ArticleStatus, field: string): Cell {
  const seesRow = status === 'PUBLISHED' || caller === 'author' || caller === 'EDITOR' || caller === 'ADMIN';
  if (!seesRow) return '∅';
  if (field === 'reviewNotes') return caller === 'author' || caller === 'EDITOR' || caller === 'ADMIN' ? '✓' : '—';
  return '✓';
}

/** Every field of Article with the policy the built schema carries and enforces. */
function articleFieldPolicies(schema: GraphQLSchema) {
  return [...fieldsWithPolicies(schema)]
    .filter(({ type }) => type.name === 'Article')
    .map(({ type, field, policy }) => ({
      name: field.name,
      policy,
      owner: (field.extensions[OWNER_EXTENSION] ?? type.extensions[OWNER_EXTENSION]) as OwnerOf<object> | undefined,
    }));
}

const fragmentFields = () => {
  const fragment = ArticleFieldsFragmentDoc.definitions[0]!;
  if (fragment.kind !== Kind.FRAGMENT_DEFINITION) throw new Error('ArticleFields is not a fragment');
  return fragment.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
};

describeEachDatabase('articles: the permission matrix, live', (dialect) => {
  let server: TestServer;
  let schema: GraphQLSchema;
  const callers = new Map<Caller, SignedIn | null>();
  beforeAll(async () => {
    server = await startTestServer(dialect);
    schema = await buildSchemaForPrinting();
    callers.set('anonymous', null);
    callers.set('author', await server.signIn('author@example.com'));
    callers.set('another USER', await server.signIn('another@example.com'));
    callers.set('EDITOR', await server.signIn('editor@example.com', [Role.EDITOR]));
    callers.set('ADMIN', await server.signIn('admin@example.com', [Role.ADMIN]));
  });
  afterAll(() => server.close());

  const as = (caller: Caller) => {
    const who = callers.get(caller);
    return who ? { token: who.accessToken } : {};
  };

  /** An article in `status` by the author, with review notes so that reviewNotes has something to hide. */
  const articleIn = async (status: ArticleStatus) => {
    const created = await server.execute(CreateArticleDocument, { input: { title: 't', body: 'b' } }, as('author'));
    const id = created.data!.createArticle.id;
    await server.execute(SetArticleReviewNotesDocument, { id, reviewNotes: 'Notes.' }, as('EDITOR'));
    if (status !== 'DRAFT') await server.execute(SubmitArticleDocument, { id }, as('author'));
    if (status === 'PUBLISHED') await server.execute(PublishArticleDocument, { id, revision: 1 }, as('EDITOR'));
    return id;
  };

  it('asks for every field of Article (a new field must join the matrix)', () => {
    const type = schema.getType('Article');
    if (!isObjectType(type)) throw new Error('no Article type');
    expect(fragmentFields().sort()).toEqual(Object.keys(type.getFields()).sort());
  });

  it('declares field policies that say what the issue says, for any article a caller gets', () => {
    const authorId = 'the-author';
    const viewers = {
      anonymous: null,
      author: testViewer(authorId),
      'another USER': testViewer('someone-else'),
      EDITOR: testViewer('an-editor', [Role.EDITOR]),
      ADMIN: testViewer('an-admin', [Role.ADMIN]),
    } as const;
    const declared: Record<string, Record<Caller, Cell>> = {};
    const expected: Record<string, Record<Caller, Cell>> = {};
    for (const { name, policy, owner } of articleFieldPolicies(schema)) {
      declared[name] = {} as Record<Caller, Cell>;
      expected[name] = {} as Record<Caller, Cell>;
      for (const caller of CALLERS) {
        const allowed =
          policy?.kind === 'public' ||
          (policy?.kind === 'rules' && decideAccess(viewers[caller], policy.anyOf, { authorId }, owner).allowed);
        declared[name]![caller] = allowed ? '✓' : '—';
        // Field policies apply to rows the caller has: compare on a PUBLISHED one, which everyone has.
        expected[name]![caller] = specified(caller, 'PUBLISHED', name);
      }
    }
    expect(declared).toEqual(expected);
  });

  it('answers every Article field, for every caller and status, as the matrix says', async () => {
    const live: Record<string, Record<Caller, Cell>> = {};
    const expected: Record<string, Record<Caller, Cell>> = {};
    for (const status of STATUSES) {
      const id = await articleIn(status);
      for (const caller of CALLERS) {
        const res = await server.execute(ArticleDocument, { id }, as(caller));
        expect(res.status).toBe(200);
        const article = res.data!.article as Record<string, unknown> | null;
        const denied = new Set((res.errors ?? []).map((error) => error.path!.join('.')));
        for (const field of fragmentFields()) {
          const row = `${status} ${field}`;
          live[row] ??= {} as Record<Caller, Cell>;
          expected[row] ??= {} as Record<Caller, Cell>;
          expected[row]![caller] = specified(caller, status, field);
          if (article === null) {
            live[row]![caller] = '∅';
          } else if (denied.has(`article.${field}`)) {
            live[row]![caller] = article[field] === null ? '—' : '✓'; // '✓' here would be a value leaking past its error
          } else {
            live[row]![caller] = article[field] !== null || field === 'publishedAt' ? '✓' : '—';
          }
        }
        // A missing article is a plain null: no error that would tell it apart from an unknown id.
        if (article === null) expect(res.errors).toBeUndefined();
      }
    }
    expect(live).toEqual(expected);
  });

  it('lists, for every caller, exactly the articles the matrix lets them have', async () => {
    const ids = Object.fromEntries(await Promise.all(STATUSES.map(async (s) => [s, await articleIn(s)] as const)));
    const authorId = callers.get('author')!.id;
    for (const caller of CALLERS) {
      const got = new Set<string>();
      let after: string | null = null;
      do {
        const res = await server.execute(ArticlesDocument, { authorId, first: 50, after }, as(caller));
        const page: ArticlesQuery['articles'] = res.data!.articles;
        for (const { node } of page.edges) got.add(node.id);
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      for (const status of STATUSES) {
        expect([caller, status, got.has(ids[status]!)]).toEqual([
          caller,
          status,
          specified(caller, status, 'id') === '✓',
        ]);
      }
    }
  });
});
