import { randomUUID } from 'node:crypto';
import { Role } from '../../src/auth/roles';
import type { EventPayload } from '../../src/events/event-bus';
import '../../src/modules/articles/article.tables';
import {
  ArticleDocument,
  ArticlesDocument,
  AuditEventsDocument,
  CreateArticleDocument,
  DeleteArticleDocument,
  PublishArticleDocument,
  SetArticleReviewNotesDocument,
  SubmitArticleDocument,
  UnpublishArticleDocument,
  UpdateArticleDocument,
  type ArticleStatus,
  type ArticlesQueryVariables,
} from '../generated/graphql';
import { describeEachDatabase } from '../helpers/databases';
import { startTestServer, type GraphQLResponse, type SignedIn, type TestServer } from '../helpers/test-server';
import { testViewer } from '../helpers/viewers';

describeEachDatabase('articles', (dialect) => {
  let server: TestServer;
  let author: SignedIn;
  let other: SignedIn;
  let editor: SignedIn;
  let admin: SignedIn;
  beforeAll(async () => {
    server = await startTestServer(dialect);
    [author, other, editor, admin] = await Promise.all([
      server.signIn('author@example.com'),
      server.signIn('other@example.com'),
      server.signIn('editor@example.com', [Role.EDITOR]),
      server.signIn('admin@example.com', [Role.ADMIN]),
    ]);
  });
  afterAll(() => server.close());

  let n = 0;
  const freshUser = (roles?: readonly Role[]) => server.signIn(`articles-${++n}@example.com`, roles);
  const as = (who: SignedIn | null) => (who ? { token: who.accessToken } : {});
  const codeOf = (res: GraphQLResponse<unknown>) => res.errors?.[0]?.extensions?.code;
  const countArticles = async () => {
    const row = await server.app.services.database.db
      .selectFrom('articles')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };

  const write = async (by: SignedIn, title = 'A title', body = 'A body.') => {
    const res = await server.execute(CreateArticleDocument, { input: { title, body } }, as(by));
    if (!res.data) throw new Error(`createArticle failed: ${JSON.stringify(res.errors)}`);
    return res.data.createArticle;
  };
  const submit = async (by: SignedIn, id: string) => {
    const res = await server.execute(SubmitArticleDocument, { id }, as(by));
    if (!res.data) throw new Error(`submitArticle failed: ${JSON.stringify(res.errors)}`);
    return res.data.submitArticle;
  };
  /** An EDITOR publishes the article at the revision they have read. */
  const publish = async ({ id, revision }: { readonly id: string; readonly revision: number }) => {
    const res = await server.execute(PublishArticleDocument, { id, revision }, as(editor));
    if (!res.data) throw new Error(`publishArticle failed: ${JSON.stringify(res.errors)}`);
    return res.data.publishArticle;
  };
  /** An article by `by` in `status`. */
  const articleIn = async (status: ArticleStatus, by: SignedIn = author, title?: string) => {
    const article = await write(by, title);
    if (status === 'DRAFT') return article;
    await submit(by, article.id);
    return status === 'PUBLISHED'
      ? publish(article)
      : (await server.execute(ArticleDocument, { id: article.id }, as(by))).data!.article!;
  };
  const read = (id: string, who: SignedIn | null) => server.execute(ArticleDocument, { id }, as(who));
  const list = async (variables: ArticlesQueryVariables, who: SignedIn | null) => {
    const res = await server.execute(ArticlesDocument, variables, as(who));
    if (!res.data) throw new Error(`articles failed: ${JSON.stringify(res.errors)}`);
    return res.data.articles;
  };
  /** Every article `who` gets for `variables`, page after page. */
  const walk = async (variables: ArticlesQueryVariables, who: SignedIn | null) => {
    const ids: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 50; pages++) {
      const page = await list({ ...variables, after }, who);
      ids.push(...page.edges.map((edge) => edge.node.id));
      if (!page.pageInfo.hasNextPage) return ids;
      after = page.pageInfo.endCursor;
    }
    throw new Error('the pages never ended');
  };

  describe('the workflow', () => {
    it('goes DRAFT → IN_REVIEW → PUBLISHED → DRAFT, stamping and clearing publishedAt', async () => {
      const created = await write(author, 'First steps', 'Once upon a time.');
      expect(created).toEqual({
        id: expect.any(String),
        title: 'First steps',
        body: 'Once upon a time.',
        status: 'DRAFT',
        author: { id: author.id, displayName: 'author' },
        createdAt: new Date(server.clock.now()).toISOString(),
        updatedAt: new Date(server.clock.now()).toISOString(),
        publishedAt: null,
        revision: 1,
        reviewNotes: null,
      });
      server.clock.advance(60);
      expect(await submit(author, created.id)).toMatchObject({
        status: 'IN_REVIEW',
        updatedAt: new Date(server.clock.now()).toISOString(),
        publishedAt: null,
      });
      server.clock.advance(60);
      const published = await publish(created);
      const publishedAt = new Date(server.clock.now()).toISOString();
      expect(published).toMatchObject({ status: 'PUBLISHED', publishedAt, createdAt: created.createdAt });
      expect((await read(created.id, null)).data!.article).toMatchObject({ status: 'PUBLISHED', publishedAt });

      server.clock.advance(60);
      const unpublished = await server.execute(UnpublishArticleDocument, { id: created.id }, as(editor));
      expect(unpublished.data!.unpublishArticle).toMatchObject({ status: 'DRAFT', publishedAt: null });
      expect((await read(created.id, null)).data).toEqual({ article: null });
      // Back with its author, who reworks it and submits it again.
      const reworked = await server.execute(
        UpdateArticleDocument,
        { id: created.id, input: { body: 'Twice upon a time.' } },
        as(author),
      );
      expect(reworked.data!.updateArticle).toMatchObject({
        status: 'DRAFT',
        title: 'First steps',
        body: 'Twice upon a time.',
      });
      expect(await submit(author, created.id)).toMatchObject({ status: 'IN_REVIEW' });
    });

    it('answers a repeated submit, publish or unpublish with the article as it is, changing nothing', async () => {
      const article = await articleIn('IN_REVIEW');
      expect(await submit(author, article.id)).toEqual(article);
      const published = await publish(article);
      server.clock.advance(60);
      expect(await publish(article)).toEqual(published);
      const unpublished = (await server.execute(UnpublishArticleDocument, { id: article.id }, as(editor))).data!
        .unpublishArticle;
      server.clock.advance(60);
      const again = await server.execute(UnpublishArticleDocument, { id: article.id }, as(editor));
      expect(again.data!.unpublishArticle).toEqual(unpublished);
    });

    it('counts revisions: 1 when written, one more per change of title or body, and nothing else', async () => {
      const article = await write(author);
      expect(article.revision).toBe(1);
      const update = async (input: { title?: string; body?: string }, who: SignedIn = author) =>
        (await server.execute(UpdateArticleDocument, { id: article.id, input }, as(who))).data!.updateArticle;
      expect((await update({ title: 'Second' })).revision).toBe(2);
      expect((await update({ title: 'Third', body: 'Both at once' })).revision).toBe(3);
      expect((await submit(author, article.id)).revision).toBe(3);
      expect((await update({ body: 'By an EDITOR' }, editor)).revision).toBe(4);
      const notes = await server.execute(
        SetArticleReviewNotesDocument,
        { id: article.id, reviewNotes: 'Fine.' },
        as(editor),
      );
      expect(notes.data!.setArticleReviewNotes.revision).toBe(4);
      expect((await publish({ id: article.id, revision: 4 })).revision).toBe(4);
    });

    it('refuses to publish a text its author changed after the EDITOR read it, and publishes nothing', async () => {
      const reviewed = await articleIn('IN_REVIEW');
      const swapped = await server.execute(
        UpdateArticleDocument,
        { id: reviewed.id, input: { body: 'Not what the EDITOR read.' } },
        as(author),
      );
      expect(swapped.data!.updateArticle.revision).toBe(reviewed.revision + 1);
      const refused = await server.execute(
        PublishArticleDocument,
        { id: reviewed.id, revision: reviewed.revision },
        as(editor),
      );
      expect(refused.data).toBeNull();
      expect(refused.errors![0]).toMatchObject({
        message: 'This article has changed since the revision you reviewed; it is now at revision 2. Review it again.',
        extensions: { code: 'BAD_USER_INPUT', field: 'revision', reason: 'ARTICLE_CHANGED' },
      });
      expect((await read(reviewed.id, author)).data!.article).toEqual(swapped.data!.updateArticle);
      // Read again, the new revision publishes.
      const published = await publish(swapped.data!.updateArticle);
      expect(published).toMatchObject({ status: 'PUBLISHED', body: 'Not what the EDITOR read.', revision: 2 });
    });

    it('refuses a revision the article never had, and one other than the published one once it is out', async () => {
      const article = await articleIn('IN_REVIEW');
      for (const revision of [0, -1, 2, 2_147_483_647]) {
        const res = await server.execute(PublishArticleDocument, { id: article.id, revision }, as(editor));
        expect([revision, res.errors?.[0]?.extensions?.reason]).toEqual([revision, 'ARTICLE_CHANGED']);
      }
      expect((await read(article.id, author)).data!.article).toEqual(article);
      const published = await publish(article);
      const stale = await server.execute(PublishArticleDocument, { id: article.id, revision: 2 }, as(editor));
      expect(stale.errors![0]!.extensions).toMatchObject({ reason: 'ARTICLE_CHANGED' });
      expect((await read(article.id, author)).data!.article).toEqual(published);
    });

    it('refuses to publish a DRAFT: its author decides when it is ready', async () => {
      const draft = await write(author);
      const res = await server.execute(PublishArticleDocument, { id: draft.id, revision: draft.revision }, as(editor));
      expect(res.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
      expect((await read(draft.id, author)).data!.article).toEqual(draft);
    });

    it('lets the author and EDITORs edit DRAFT and IN_REVIEW articles, and nobody a PUBLISHED one', async () => {
      const article = await write(author);
      const byAuthor = await server.execute(
        UpdateArticleDocument,
        { id: article.id, input: { title: 'Mine' } },
        as(author),
      );
      expect(byAuthor.data!.updateArticle).toMatchObject({ title: 'Mine', body: article.body, status: 'DRAFT' });
      await submit(author, article.id);
      const byEditor = await server.execute(
        UpdateArticleDocument,
        { id: article.id, input: { body: 'Tightened.' } },
        as(editor),
      );
      expect(byEditor.data!.updateArticle).toMatchObject({ title: 'Mine', body: 'Tightened.', status: 'IN_REVIEW' });

      const published = await publish(byEditor.data!.updateArticle);
      for (const who of [author, editor, admin]) {
        const res = await server.execute(
          UpdateArticleDocument,
          { id: article.id, input: { title: 'Sneaky' } },
          as(who),
        );
        expect(res.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
      }
      // Someone else may read it, so they are told it is not theirs rather than that it does not exist.
      const byOther = await server.execute(
        UpdateArticleDocument,
        { id: article.id, input: { title: 'Mine now' } },
        as(other),
      );
      expect(byOther.errors![0]!.extensions).toEqual({ code: 'FORBIDDEN', requires: ['SELF', 'EDITOR'] });
      expect((await read(article.id, null)).data!.article).toMatchObject({
        title: published.title,
        body: published.body,
      });
    });

    it('lets only the author submit their draft', async () => {
      const article = await articleIn('PUBLISHED');
      const res = await server.execute(SubmitArticleDocument, { id: article.id }, as(other));
      expect(res.errors![0]!.extensions).toEqual({ code: 'FORBIDDEN', requires: ['SELF'] });
      const draft = await write(author);
      const byEditor = await server.execute(SubmitArticleDocument, { id: draft.id }, as(editor));
      expect(byEditor.errors![0]!.extensions).toEqual({ code: 'FORBIDDEN', requires: ['SELF'] });
      expect((await read(draft.id, author)).data!.article!.status).toBe('DRAFT');
    });

    it('keeps review notes between EDITORs and the author; blank notes clear them', async () => {
      const article = await articleIn('IN_REVIEW');
      const set = await server.execute(
        SetArticleReviewNotesDocument,
        { id: article.id, reviewNotes: 'Cut the second paragraph.' },
        as(editor),
      );
      expect(set.data!.setArticleReviewNotes.reviewNotes).toBe('Cut the second paragraph.');
      expect((await read(article.id, author)).data!.article!.reviewNotes).toBe('Cut the second paragraph.');
      expect((await read(article.id, admin)).data!.article!.reviewNotes).toBe('Cut the second paragraph.');
      await publish(article);

      const byOther = await read(article.id, other);
      expect(byOther.data!.article).toMatchObject({ id: article.id, reviewNotes: null });
      expect(byOther.errors).toEqual([
        expect.objectContaining({
          path: ['article', 'reviewNotes'],
          extensions: { code: 'FORBIDDEN', requires: ['SELF', 'EDITOR'] },
        }),
      ]);
      const anonymous = await read(article.id, null);
      expect(anonymous.errors![0]).toMatchObject({
        path: ['article', 'reviewNotes'],
        extensions: { code: 'UNAUTHENTICATED' },
      });

      for (const blank of ['   ', null]) {
        await server.execute(SetArticleReviewNotesDocument, { id: article.id, reviewNotes: 'x' }, as(editor));
        const cleared = await server.execute(
          SetArticleReviewNotesDocument,
          { id: article.id, reviewNotes: blank },
          as(editor),
        );
        expect(cleared.data!.setArticleReviewNotes.reviewNotes).toBeNull();
      }
      const byAuthor = await server.execute(
        SetArticleReviewNotesDocument,
        { id: article.id, reviewNotes: 'I approve of myself.' },
        as(author),
      );
      expect(byAuthor.errors![0]!.extensions).toEqual({ code: 'FORBIDDEN', requires: ['EDITOR'] });
    });

    it('lets only an ADMIN delete, in any status; a second delete finds nothing', async () => {
      for (const status of ['DRAFT', 'IN_REVIEW', 'PUBLISHED'] as const) {
        const article = await articleIn(status);
        for (const who of [author, editor]) {
          const refused = await server.execute(DeleteArticleDocument, { id: article.id }, as(who));
          expect(refused.errors![0]!.extensions).toEqual({ code: 'FORBIDDEN', requires: ['ADMIN'] });
        }
        const deleted = await server.execute(DeleteArticleDocument, { id: article.id }, as(admin));
        expect(deleted.data).toEqual({ deleteArticle: article.id });
        expect((await read(article.id, admin)).data).toEqual({ article: null });
        const again = await server.execute(DeleteArticleDocument, { id: article.id }, as(admin));
        expect(again.errors![0]).toMatchObject({
          message: 'There is no article with this id.',
          extensions: { code: 'BAD_USER_INPUT', field: 'id' },
        });
      }
    });

    it('records publish, unpublish and delete in the audit log, naming the EDITOR or ADMIN and the article', async () => {
      const writer = await freshUser();
      const article = await articleIn('PUBLISHED', writer);
      server.clock.advance(1);
      await server.execute(UnpublishArticleDocument, { id: article.id }, as(editor));
      server.clock.advance(1);
      await server.execute(DeleteArticleDocument, { id: article.id }, as(admin));
      const audit = await server.execute(AuditEventsDocument, { userId: writer.id, first: 10 }, as(admin));
      const events = audit.data!.auditEvents.edges.map(({ node }) => ({
        type: node.type,
        actorId: node.actorId,
        details: JSON.parse(node.details!) as unknown,
      }));
      expect(events.filter((event) => event.type.startsWith('ARTICLE_'))).toEqual([
        { type: 'ARTICLE_DELETED', actorId: admin.id, details: { articleId: article.id, status: 'DRAFT' } },
        { type: 'ARTICLE_UNPUBLISHED', actorId: editor.id, details: { articleId: article.id, status: 'DRAFT' } },
        { type: 'ARTICLE_PUBLISHED', actorId: editor.id, details: { articleId: article.id, status: 'PUBLISHED' } },
      ]);
    });
  });

  describe('the table', () => {
    it('refuses rows whatever code writes them: unknown status, publishedAt out of step, unknown author, revision 0', async () => {
      const { db } = server.app.services.database;
      const row = { title: 't', body: 'b', review_notes: null, created_at: 1, updated_at: 1 };
      const broken = [
        { status: 'PUBLISHED', published_at: null, author_id: author.id },
        { status: 'DRAFT', published_at: 5, author_id: author.id },
        { status: 'IN_REVIEW', published_at: 5, author_id: author.id },
        { status: 'ARCHIVED', published_at: null, author_id: author.id },
        { status: 'DRAFT', published_at: null, author_id: randomUUID() },
        { status: 'DRAFT', published_at: null, author_id: author.id, revision: 0 },
      ];
      const accepted: unknown[] = [];
      for (const values of broken) {
        const inserted = await db
          .insertInto('articles')
          .values({ id: randomUUID(), ...row, ...values })
          .execute()
          .then(
            () => true,
            () => false,
          );
        if (inserted) accepted.push(values);
      }
      // Named, so a failure says which rule the table let through.
      expect(accepted).toEqual([]);
      const id = randomUUID();
      await db
        .insertInto('articles')
        .values({ id, ...row, status: 'PUBLISHED', published_at: 5, author_id: author.id })
        .execute();
      await db.deleteFrom('articles').where('id', '=', id).execute();
    });
  });

  describe('domain events', () => {
    it('announces every change by id once it is committed, and article.published when it goes out', async () => {
      const { events, articles } = server.app.services;
      const seen: Array<{ topic: string; payload: EventPayload; status: Promise<string | null> }> = [];
      const everything = testViewer('observer', [Role.EDITOR]);
      const listen = (topic: string) =>
        events.subscribe(topic, (payload) => {
          // Read at once, as a subscriber would: the change must already be visible to another connection.
          const status = articles.findVisible(everything, String(payload.articleId)).then((a) => a?.status ?? null);
          seen.push({ topic, payload, status });
        });
      const stops = [listen('article.changed'), listen('article.published')];
      try {
        const article = await write(author);
        expect(seen).toEqual([]); // a new draft concerns nobody yet
        const renamed = await server.execute(
          UpdateArticleDocument,
          { id: article.id, input: { title: 'Renamed' } },
          as(author),
        );
        await submit(author, article.id);
        await server.execute(SetArticleReviewNotesDocument, { id: article.id, reviewNotes: 'Fine.' }, as(editor));
        await publish(renamed.data!.updateArticle);
        await publish(renamed.data!.updateArticle); // changes nothing: announces nothing
        await server.execute(UnpublishArticleDocument, { id: article.id }, as(editor));
        await server.execute(DeleteArticleDocument, { id: article.id }, as(admin));

        expect(seen.map(({ topic, payload }) => [topic, payload])).toEqual([
          ['article.changed', { articleId: article.id }], // update
          ['article.changed', { articleId: article.id }], // submit
          ['article.changed', { articleId: article.id }], // review notes
          ['article.changed', { articleId: article.id }], // publish
          ['article.published', { articleId: article.id }],
          ['article.changed', { articleId: article.id }], // unpublish
          ['article.changed', { articleId: article.id }], // delete
        ]);
        const published = seen.findIndex(({ topic }) => topic === 'article.published');
        expect(await seen[published]!.status).toBe('PUBLISHED');
        expect(await seen.at(-1)!.status).toBeNull();
      } finally {
        for (const stop of stops) stop();
      }
    });
  });

  describe('who sees which article', () => {
    it('answers someone else’s draft exactly as an id that does not exist', async () => {
      const draft = await articleIn('DRAFT');
      const inReview = await articleIn('IN_REVIEW');
      const unknown = randomUUID();
      for (const who of [null, other]) {
        for (const id of [draft.id, inReview.id, unknown, 'not-an-id', 'x'.repeat(10_000)]) {
          const res = await read(id, who);
          expect(res).toMatchObject({ status: 200, data: { article: null } });
          expect(res.errors).toBeUndefined();
        }
      }
      for (const who of [author, editor, admin]) {
        expect((await read(draft.id, who)).data!.article).toMatchObject({ id: draft.id, status: 'DRAFT' });
      }
    });

    it('gives a USER changing someone else’s draft the same error as for an unknown id', async () => {
      const draft = await articleIn('DRAFT');
      const attempts = [
        (id: string) => server.execute(UpdateArticleDocument, { id, input: { title: 'Mine' } }, as(other)),
        (id: string) => server.execute(SubmitArticleDocument, { id }, as(other)),
      ];
      for (const attempt of attempts) {
        const onDraft = await attempt(draft.id);
        const onNothing = await attempt(randomUUID());
        expect(onDraft.errors).toEqual(onNothing.errors);
        expect(onDraft.errors![0]).toMatchObject({
          message: 'There is no article with this id.',
          extensions: { code: 'BAD_USER_INPUT', field: 'id' },
        });
      }
      // The EDITOR-only mutations are refused by their policy before anything is looked up.
      const refusedByPolicy = [
        (id: string) => server.execute(PublishArticleDocument, { id, revision: 1 }, as(other)),
        (id: string) => server.execute(UnpublishArticleDocument, { id }, as(other)),
        (id: string) => server.execute(SetArticleReviewNotesDocument, { id, reviewNotes: 'x' }, as(other)),
        (id: string) => server.execute(DeleteArticleDocument, { id }, as(other)),
      ];
      for (const attempt of refusedByPolicy) {
        const onDraft = await attempt(draft.id);
        expect(onDraft.errors![0]!.extensions!.code).toBe('FORBIDDEN');
        expect(onDraft.errors).toEqual((await attempt(randomUUID())).errors);
      }
      expect((await read(draft.id, author)).data!.article).toEqual(draft);
    });

    it('lists what each viewer may see; filters narrow within it and never reveal drafts', async () => {
      const writer = await freshUser();
      const reader = await freshUser();
      const mine = {
        draft: await articleIn('DRAFT', writer),
        inReview: await articleIn('IN_REVIEW', writer),
        published: await articleIn('PUBLISHED', writer),
      };
      const readersDraft = await articleIn('DRAFT', reader);
      const byWriter = { authorId: writer.id, first: 50 };

      expect(await walk(byWriter, null)).toEqual([mine.published.id]);
      expect(await walk(byWriter, reader)).toEqual([mine.published.id]);
      expect(new Set(await walk(byWriter, writer))).toEqual(new Set(Object.values(mine).map((a) => a.id)));
      expect(new Set(await walk(byWriter, editor))).toEqual(new Set(Object.values(mine).map((a) => a.id)));

      // Asking for drafts: a non-editor gets only their own, whoever's they name.
      for (const status of ['DRAFT', 'IN_REVIEW'] as const) {
        expect(await walk({ ...byWriter, status }, reader)).toEqual([]);
        expect(await walk({ ...byWriter, status }, null)).toEqual([]);
        expect(await walk({ ...byWriter, status }, writer)).toEqual([
          status === 'DRAFT' ? mine.draft.id : mine.inReview.id,
        ]);
      }
      const readersDrafts = await list({ status: 'DRAFT', first: 50 }, reader);
      expect(readersDrafts.edges.map(({ node }) => node.id)).toEqual([readersDraft.id]);
      expect(readersDrafts.pageInfo.hasNextPage).toBe(false);
      const anonymousDrafts = await list({ status: 'DRAFT' }, null);
      expect(anonymousDrafts).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });

      const everyDraft = await walk({ status: 'DRAFT', first: 50 }, editor);
      expect(everyDraft).toEqual(expect.arrayContaining([mine.draft.id, readersDraft.id]));
      // An author that does not exist and an author with nothing visible look the same.
      expect(await list({ authorId: randomUUID(), status: 'DRAFT' }, reader)).toEqual(
        await list({ authorId: writer.id, status: 'DRAFT' }, reader),
      );
    });
  });

  describe('pages', () => {
    it('walks newest first by (createdAt, id), each article once, across equal times', async () => {
      const writer = await freshUser();
      const written: Array<{ id: string; createdAt: string; published: boolean }> = [];
      // Several articles share a creation time: the id must break the tie the same way every time.
      for (const [i, step] of [0, 0, 1, 1, 1, 0, 2, 0, 1].entries()) {
        server.clock.advance(step);
        const published = i % 2 === 0;
        const article = await articleIn(published ? 'PUBLISHED' : 'DRAFT', writer, `Article ${i}`);
        written.push({ id: article.id, createdAt: article.createdAt, published });
      }
      const newestFirst = [...written].sort((a, b) =>
        a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1,
      );
      for (const first of [1, 2, 4, 50]) {
        expect(await walk({ authorId: writer.id, first }, writer)).toEqual(newestFirst.map((a) => a.id));
        expect(await walk({ authorId: writer.id, first }, null)).toEqual(
          newestFirst.filter((a) => a.published).map((a) => a.id),
        );
      }
      const firstPage = await list({ authorId: writer.id, first: 3 }, writer);
      expect(firstPage.pageInfo).toEqual({ hasNextPage: true, endCursor: firstPage.edges[2]!.cursor });
    });

    it('refuses page sizes outside 1 to 50, and cursors it did not issue', async () => {
      for (const first of [0, -1, 51, 2 ** 31 - 1]) {
        const res = await server.execute(ArticlesDocument, { first }, as(author));
        expect(res.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
      }
      const cursors = [
        'garbage',
        Buffer.from('1:../../etc/passwd').toString('base64url'),
        Buffer.from(`1' OR 1=1 --:${randomUUID()}`).toString('base64url'),
        Buffer.from(`-1:${randomUUID()}`).toString('base64url'),
        'A'.repeat(10_000),
      ];
      for (const after of cursors) {
        const res = await server.execute(ArticlesDocument, { after }, as(author));
        expect(res.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
      }
    });

    it('gives a hand-made cursor at a hidden draft’s position nothing but what the viewer may see', async () => {
      const writer = await freshUser();
      const older = await articleIn('PUBLISHED', writer);
      server.clock.advance(1);
      const draft = await articleIn('DRAFT', writer);
      server.clock.advance(1);
      await articleIn('PUBLISHED', writer);
      const atDraft = Buffer.from(`${Date.parse(draft.createdAt)}:${draft.id}`).toString('base64url');
      const atNothing = Buffer.from(`${Date.parse(draft.createdAt)}:${randomUUID()}`).toString('base64url');
      for (const who of [null, other]) {
        const page = await list({ authorId: writer.id, after: atDraft }, who);
        expect(page.edges.map(({ node }) => node.id)).toEqual([older.id]);
        const unrelated = await list({ authorId: writer.id, after: atNothing }, who);
        expect(unrelated.edges.map(({ node }) => node.id)).toEqual([older.id]);
      }
    });

    it('prices `first` in the query cost: many large pages in one operation are refused before running', async () => {
      const pages = (first: number) =>
        Array.from(
          { length: 15 },
          (_, i) =>
            `p${i}: articles(first: ${first}) { edges { node { id title body status createdAt updatedAt author { id displayName createdAt } } } }`,
        ).join(' ');
      const small = await server.post({ query: `{ ${pages(1)} }` });
      expect(((await small.json()) as { errors?: unknown }).errors).toBeUndefined();
      const large = await server.post({ query: `{ ${pages(50)} }` });
      const body = (await large.json()) as { errors: Array<{ extensions: Record<string, unknown> }> };
      expect(body.errors[0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'maxCost' });
    });
  });

  describe('input', () => {
    const longTitle = 'x'.repeat(201);
    const badInputs: Array<{ title: string; body: string; field: 'title' | 'body'; why: string }> = [
      { title: '', body: 'b', field: 'title', why: 'an empty title' },
      { title: '  \t ', body: 'b', field: 'title', why: 'a blank title' },
      { title: longTitle, body: 'b', field: 'title', why: 'a title over 200 characters' },
      { title: 'x'.repeat(10_000), body: 'b', field: 'title', why: 'a title far over the limit' },
      { title: 'two\nlines', body: 'b', field: 'title', why: 'a line break in a title' },
      { title: 'evil\u202Egnp.exe', body: 'b', field: 'title', why: 'a bidi override in a title' },
      { title: 'soft\u00ADhyphen', body: 'b', field: 'title', why: 'an invisible format character in a title' },
      { title: 'bell\u0007', body: 'b', field: 'title', why: 'a control character in a title' },
      { title: 't', body: '', field: 'body', why: 'an empty body' },
      { title: 't', body: '\n\n  ', field: 'body', why: 'a blank body' },
      { title: 't', body: 'x'.repeat(20_001), field: 'body', why: 'a body over 20,000 characters' },
      { title: 't', body: 'esc\u001B[31m', field: 'body', why: 'a terminal escape in a body' },
      { title: 't', body: 'Z' + '\u0301'.repeat(31), field: 'body', why: 'more than 30 combining marks in a row' },
    ];

    it.each(badInputs)('refuses $why, naming the field and creating nothing', async ({ title, body, field }) => {
      const before = await countArticles();
      const res = await server.execute(CreateArticleDocument, { input: { title, body } }, as(author));
      expect(res.data).toBeNull();
      expect(res.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field });
      expect(await countArticles()).toBe(before);
    });

    it('refuses the same input to updateArticle and changes nothing', async () => {
      const article = await write(author, 'Unchanged', 'Unchanged body.');
      for (const { title, body, field } of badInputs) {
        const input = field === 'title' ? { title } : { body };
        const res = await server.execute(UpdateArticleDocument, { id: article.id, input }, as(author));
        expect(res.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field });
      }
      const empty = await server.execute(UpdateArticleDocument, { id: article.id, input: {} }, as(author));
      expect(empty.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input' });
      expect((await read(article.id, author)).data!.article).toEqual(article);
    });

    it('refuses NUL characters before anything runs', async () => {
      const before = await countArticles();
      const res = await server.execute(CreateArticleDocument, { input: { title: 'a\u0000b', body: 'b' } }, as(author));
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(await countArticles()).toBe(before);
    });

    it('refuses review notes over 5,000 characters, leaving the old ones', async () => {
      const article = await write(author);
      await server.execute(SetArticleReviewNotesDocument, { id: article.id, reviewNotes: 'Keep.' }, as(editor));
      const res = await server.execute(
        SetArticleReviewNotesDocument,
        { id: article.id, reviewNotes: 'x'.repeat(5_001) },
        as(editor),
      );
      expect(res.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'reviewNotes' });
      expect((await read(article.id, author)).data!.article!.reviewNotes).toBe('Keep.');
    });

    it('stores text as NFC with LF line ends, keeping emoji joiners and compatibility characters', async () => {
      const article = await write(author, '  Cafe\u0301 👩\u200D💻 x²  ', 'line one\r\nline two\rline ﬁve\tend');
      expect(article.title).toBe('Café 👩\u200D💻 x²');
      expect(article.body).toBe('line one\nline two\nline ﬁve\tend');
      const atLimit = await write(author, '😀'.repeat(200), 'é'.repeat(20_000));
      expect([...atLimit.title]).toHaveLength(200);
    });
  });
});
