import { Role } from '../../src/auth/roles';
import type { Viewer } from '../../src/auth/tokens';
import { ArticleStatus, EDITABLE_STATUSES, type ArticleRecord } from '../../src/modules/articles/article.model';
import { ArticleRepository, type Transition } from '../../src/modules/articles/article.repository';
import { ArticleService } from '../../src/modules/articles/article.service';
import {
  ArticleDocument,
  AuditEventsDocument,
  CreateArticleDocument,
  DeleteArticleDocument,
  PublishArticleDocument,
  SubmitArticleDocument,
  UpdateArticleDocument,
} from '../generated/graphql';
import { TestClock } from '../helpers/clock';
import { describeEachDatabase } from '../helpers/databases';
import { startTestServer, type SignedIn, type TestServer } from '../helpers/test-server';
import { testViewer } from '../helpers/viewers';

/** A clock a millisecond later at every reading: two writes can never share a timestamp by accident. */
class TickingClock extends TestClock {
  private ticks = 0;
  override readonly now = (): number => Date.UTC(2026, 0, 15, 12) + this.ticks++;
}

const NO_CLIENT = { ip: null, userAgent: null };

describeEachDatabase('articles under concurrency', (dialect) => {
  let server: TestServer;
  let author: SignedIn;
  let editors: SignedIn[];
  let admins: SignedIn[];
  beforeAll(async () => {
    server = await startTestServer(dialect, { clock: new TickingClock() });
    author = await server.signIn('author@example.com');
    editors = await Promise.all([1, 2].map((i) => server.signIn(`editor-${i}@example.com`, [Role.EDITOR])));
    admins = await Promise.all([1, 2].map((i) => server.signIn(`admin-${i}@example.com`, [Role.ADMIN])));
  });
  afterAll(() => server.close());

  const as = (who: SignedIn) => ({ token: who.accessToken });
  const inReview = async () => {
    const created = await server.execute(CreateArticleDocument, { input: { title: 't', body: 'first' } }, as(author));
    const id = created.data!.createArticle.id;
    await server.execute(SubmitArticleDocument, { id }, as(author));
    return id;
  };
  const auditTypes = async () => {
    const res = await server.execute(AuditEventsDocument, { userId: author.id, first: 200 }, as(admins[0]!));
    return res.data!.auditEvents.edges.map(({ node }) => ({
      type: node.type,
      articleId: node.details ? (JSON.parse(node.details) as { articleId?: string }).articleId : undefined,
    }));
  };
  const eventsOn = (topic: string) => {
    const ids: string[] = [];
    const stop = server.app.services.events.subscribe(topic, (payload) => ids.push(String(payload.articleId)));
    return { ids, stop };
  };

  it('publishes once when EDITORs publish the same article at once; every one of them gets the same answer', async () => {
    const ids = await Promise.all([1, 2, 3, 4].map(() => inReview()));
    const published = eventsOn('article.published');
    try {
      const answers = await Promise.all(
        ids.flatMap((id) =>
          [...editors, ...editors].map((editor) =>
            server.execute(PublishArticleDocument, { id, revision: 1 }, as(editor)),
          ),
        ),
      );
      for (const answer of answers) expect(answer.errors).toBeUndefined();
      for (const id of ids) {
        const forThis = answers.map((a) => a.data!.publishArticle).filter((article) => article.id === id);
        expect(forThis).toHaveLength(4);
        // One publishedAt: with a clock that ticks at every reading, a second write would have left another.
        expect(new Set(forThis.map((article) => article.publishedAt)).size).toBe(1);
        expect(forThis[0]!.status).toBe('PUBLISHED');
      }
      expect([...published.ids].sort()).toEqual([...ids].sort());
      const audit = (await auditTypes()).filter(
        (event) => event.type === 'ARTICLE_PUBLISHED' && ids.includes(event.articleId ?? ''),
      );
      expect(audit).toHaveLength(ids.length);
    } finally {
      published.stop();
    }
  });

  it('publishes only the reviewed text: of an edit and a publish at once, exactly one lands, in either order', async () => {
    for (let round = 0; round < 8; round++) {
      const id = await inReview();
      const [edit, publish] = await Promise.all([
        server.execute(UpdateArticleDocument, { id, input: { body: `edited ${round}` } }, as(author)),
        // The EDITOR reviewed revision 1, the text "first".
        server.execute(PublishArticleDocument, { id, revision: 1 }, as(editors[round % 2]!)),
      ]);
      const final = (await server.execute(ArticleDocument, { id }, as(author))).data!.article!;
      if (edit.errors) {
        // The publish came first: the published text is the reviewed one, and stays so.
        expect(publish.errors).toBeUndefined();
        expect(edit.errors[0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
        expect(final).toMatchObject({ status: 'PUBLISHED', body: 'first', revision: 1 });
      } else {
        // The edit came first: nothing unreviewed goes out; the new text waits in review.
        expect(publish.errors![0]!.extensions).toEqual({
          code: 'BAD_USER_INPUT',
          field: 'revision',
          reason: 'ARTICLE_CHANGED',
        });
        expect(final).toMatchObject({ status: 'IN_REVIEW', body: `edited ${round}`, revision: 2, publishedAt: null });
      }
    }
    // Which order each round takes is the scheduler's; the deterministic tests below force each one.
  });

  it('deletes once when ADMINs delete the same article at once; the others find nothing', async () => {
    const id = await inReview();
    const answers = await Promise.all(
      [...admins, ...admins].map((admin) => server.execute(DeleteArticleDocument, { id }, as(admin))),
    );
    expect(answers.filter((a) => a.data?.deleteArticle === id)).toHaveLength(1);
    for (const refused of answers.filter((a) => a.errors)) {
      expect(refused.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
    }
    expect((await auditTypes()).filter((e) => e.type === 'ARTICLE_DELETED' && e.articleId === id)).toHaveLength(1);
  });

  describe('a change whose compare-and-set loses the race', () => {
    // Deterministic on both databases: the competitor's change is made between the service's
    // read and its write, exactly where a concurrent request would land.
    const editorViewer = () => testViewer(editors[0]!.id, [Role.EDITOR]);
    const authorViewer = () => testViewer(author.id, [Role.USER]);

    /** The app's service over a repository that lets `competitor` act just before the first guarded write. */
    function serviceRacing(competitor: (repository: ArticleRepository) => Promise<unknown>) {
      const { database, audit, events } = server.app.services;
      const repository = new ArticleRepository(database.db);
      let raced = false;
      const race = async () => {
        if (raced) return;
        raced = true;
        await competitor(repository);
      };
      const racing = Object.create(repository) as ArticleRepository;
      racing.transition = async (id: string, transition: Transition) => {
        await race();
        return repository.transition(id, transition);
      };
      racing.updateText = async (...args: Parameters<ArticleRepository['updateText']>) => {
        await race();
        return repository.updateText(...args);
      };
      const service = new ArticleService({ articles: racing, audit, events, now: server.clock.now });
      return service;
    }
    const publishDirectly = (id: string) => (repository: ArticleRepository) =>
      repository.transition(id, {
        from: [ArticleStatus.IN_REVIEW],
        to: ArticleStatus.PUBLISHED,
        now: server.clock.now(),
      });
    const stored = (id: string): Promise<ArticleRecord | null> =>
      server.app.services.articles.findVisible(editorViewer(), id);

    it('publish: answers the winner’s article, its publishedAt kept, with no second event', async () => {
      const id = await inReview();
      const service = serviceRacing(publishDirectly(id));
      const published = eventsOn('article.published');
      try {
        const answer = await service.publish(editorViewer(), id, 1, NO_CLIENT);
        expect(answer).toEqual(await stored(id));
        expect(answer.status).toBe(ArticleStatus.PUBLISHED);
        expect(published.ids).toEqual([]);
      } finally {
        published.stop();
      }
    });

    it('publish: refused when its author changed the text after the read, and nothing is published', async () => {
      const id = await inReview();
      const swap = (repository: ArticleRepository) =>
        repository.updateText(id, { body: 'swapped after review' }, EDITABLE_STATUSES, server.clock.now());
      const service = serviceRacing(swap);
      const published = eventsOn('article.published');
      try {
        // The service read revision 1 (what the EDITOR reviewed); the swap lands before its UPDATE.
        await expect(service.publish(editorViewer(), id, 1, NO_CLIENT)).rejects.toMatchObject({
          field: 'revision',
          reason: 'ARTICLE_CHANGED',
        });
        expect(await stored(id)).toMatchObject({
          status: ArticleStatus.IN_REVIEW,
          body: 'swapped after review',
          revision: 2,
          publishedAt: null,
        });
        expect(published.ids).toEqual([]);
        expect((await auditTypes()).filter((e) => e.type === 'ARTICLE_PUBLISHED' && e.articleId === id)).toEqual([]);
      } finally {
        published.stop();
      }
    });

    it('publish: the revision is part of the compare-and-set, not only of the read before it', async () => {
      const id = await inReview();
      const repository = new ArticleRepository(server.app.services.database.db);
      await repository.updateText(id, { title: 'changed' }, EDITABLE_STATUSES, server.clock.now());
      const moved = await repository.transition(id, {
        from: [ArticleStatus.IN_REVIEW],
        to: ArticleStatus.PUBLISHED,
        revision: 1,
        now: server.clock.now(),
      });
      expect(moved).toBeNull();
      expect((await stored(id))!.status).toBe(ArticleStatus.IN_REVIEW);
    });

    it('update: refused once the article was published meanwhile, its text unchanged', async () => {
      const id = await inReview();
      const service = serviceRacing(publishDirectly(id));
      await expect(service.update(authorViewer(), id, { body: 'too late' })).rejects.toMatchObject({
        field: 'id',
        message: 'A published article cannot be edited; an EDITOR unpublishes it first.',
      });
      expect((await stored(id))!.body).toBe('first');
    });

    it('submit: not found once an ADMIN deleted it meanwhile', async () => {
      const created = await server.execute(CreateArticleDocument, { input: { title: 't', body: 'b' } }, as(author));
      const id = created.data!.createArticle.id;
      const service = serviceRacing((repository) => repository.delete(id));
      await expect(service.submit(authorViewer(), id)).rejects.toMatchObject({
        field: 'id',
        message: 'There is no article with this id.',
      });
      expect(await stored(id)).toBeNull();
    });

    it('submit: the author is part of the compare-and-set, not only of the read before it', async () => {
      const created = await server.execute(CreateArticleDocument, { input: { title: 't', body: 'b' } }, as(author));
      const id = created.data!.createArticle.id;
      const stranger: Viewer = testViewer(editors[0]!.id, [Role.EDITOR]);
      const moved = await new ArticleRepository(server.app.services.database.db).transition(id, {
        from: [ArticleStatus.DRAFT],
        to: ArticleStatus.IN_REVIEW,
        authorId: stranger.id,
        now: server.clock.now(),
      });
      expect(moved).toBeNull();
      expect((await stored(id))!.status).toBe(ArticleStatus.DRAFT);
    });
  });
});
