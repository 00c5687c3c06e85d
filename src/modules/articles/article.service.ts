import { randomUUID } from 'node:crypto';
import type { ClientInfo } from '../../auth/client-info';
import { Role, satisfiesRole } from '../../auth/roles';
import type { Viewer } from '../../auth/tokens';
import { InvalidInputError } from '../../errors/domain-errors';
import type { EventBus } from '../../events/event-bus';
import { AuditEventType } from '../audit/audit.model';
import type { AuditLog } from '../audit/audit-log';
import {
  ArticleChangeRefusedError,
  ArticleChangedError,
  ArticleNotFoundError,
  ArticleStateError,
} from './article.errors';
import { ArticleTopic, announce } from './article.events';
import {
  ArticleStatus,
  EDITABLE_STATUSES,
  type ArticleCursor,
  type ArticleFilter,
  type ArticlePage,
  type ArticleRecord,
} from './article.model';
import type { ArticleRepository, ArticleScope } from './article.repository';
import { validBody, validReviewNotes, validTitle } from './article.rules';

export interface ArticleServiceDeps {
  readonly articles: ArticleRepository;
  readonly audit: AuditLog;
  readonly events: EventBus;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

export interface ArticleText {
  readonly title?: string | null;
  readonly body?: string | null;
}

// Ids are UUIDs; anything far longer is no id of ours and is not worth a query.
const MAX_ID_LENGTH = 64;

/** What a status change does with the article as it is now found. */
type Verdict = { readonly apply: true } | { readonly apply: false; readonly answer: ArticleRecord };
const APPLY: Verdict = Object.freeze({ apply: true });
const asItIs = (article: ArticleRecord): Verdict => ({ apply: false, answer: article });

/** A transition retried after losing a race re-reads the article; a row that keeps moving is given up on. */
const MAX_TRANSITION_ATTEMPTS = 3;

/**
 * Articles: who may see and change which, and the DRAFT → IN_REVIEW → PUBLISHED workflow.
 * Every read is scoped to what the viewer may see (in SQL); an article outside that scope
 * is answered exactly like one that does not exist. Changes are compare-and-set on the
 * status, and announced on the event bus only once committed.
 */
export class ArticleService {
  constructor(private readonly deps: ArticleServiceDeps) {}

  /** The rows `viewer` may see at all: EDITOR (and ADMIN) everything; others what is published, and their own. */
  scopeOf(viewer: Viewer | null): ArticleScope {
    if (!viewer) return { kind: 'published' };
    if (satisfiesRole(viewer.roles, Role.EDITOR)) return { kind: 'everything' };
    return { kind: 'published-or-written-by', userId: viewer.id };
  }

  /**
   * The article as `viewer` may see it, or null when there is none or they may not see it
   * (the same null). For subscribers too: re-read on every event, as the subscriber.
   */
  findVisible(viewer: Viewer | null, id: string): Promise<ArticleRecord | null> {
    if (id.length > MAX_ID_LENGTH) return Promise.resolve(null);
    return this.deps.articles.findById(id, this.scopeOf(viewer));
  }

  /** A page of what `viewer` may see, narrowed by `filter` (never widened: filters apply inside the scope). */
  list(viewer: Viewer | null, filter: ArticleFilter, first: number, after: ArticleCursor | null): Promise<ArticlePage> {
    if (filter.authorId !== null && filter.authorId.length > MAX_ID_LENGTH) {
      return Promise.resolve({ articles: [], hasNextPage: false });
    }
    return this.deps.articles.list(this.scopeOf(viewer), filter, first, after);
  }

  /** A new DRAFT by `author`. */
  async create(author: Viewer, text: { readonly title: string; readonly body: string }): Promise<ArticleRecord> {
    const title = validTitle(text.title);
    const body = validBody(text.body);
    return this.deps.articles.insert({ id: randomUUID(), authorId: author.id, title, body, now: this.deps.now() });
  }

  /** Its author or an EDITOR changes the text while it is a DRAFT or IN_REVIEW; the status stays. */
  async update(viewer: Viewer, id: string, text: ArticleText): Promise<ArticleRecord> {
    const change = {
      ...(text.title != null ? { title: validTitle(text.title) } : {}),
      ...(text.body != null ? { body: validBody(text.body) } : {}),
    };
    if (change.title === undefined && change.body === undefined) {
      throw new InvalidInputError('input', 'Give a new title, a new body, or both.');
    }
    const article = await this.findOrFail(viewer, id);
    if (article.authorId !== viewer.id && !isEditor(viewer)) throw new ArticleChangeRefusedError(['SELF', 'EDITOR']);
    if (article.status === ArticleStatus.PUBLISHED) throw publishedIsFrozen();
    // The status is checked again in the UPDATE: a publish that lands meanwhile wins, and this edit is refused.
    const updated = await this.deps.articles.updateText(article.id, change, EDITABLE_STATUSES, this.deps.now());
    if (!updated) {
      if (!(await this.findVisible(viewer, article.id))) throw new ArticleNotFoundError();
      throw publishedIsFrozen();
    }
    announce(this.deps.events, updated.id, [ArticleTopic.CHANGED]);
    return updated;
  }

  /** Its author hands a DRAFT to the EDITORs (→ IN_REVIEW). Submitting what is already in review changes nothing. */
  async submit(author: Viewer, id: string): Promise<ArticleRecord> {
    return this.changeStatus(author, id, {
      to: ArticleStatus.IN_REVIEW,
      from: [ArticleStatus.DRAFT],
      authorId: author.id,
      judge: (article) => {
        if (article.authorId !== author.id) throw new ArticleChangeRefusedError(['SELF']);
        if (article.status === ArticleStatus.PUBLISHED) {
          throw new ArticleStateError('This article is already published.');
        }
        return article.status === ArticleStatus.IN_REVIEW ? asItIs(article) : APPLY;
      },
      onChange: () => announce(this.deps.events, id, [ArticleTopic.CHANGED]),
    });
  }

  /**
   * An EDITOR publishes an article IN_REVIEW at `revision`, the text they reviewed, stamping
   * publishedAt. The author decides when a draft is ready (submit), an EDITOR whether it goes
   * out: a DRAFT cannot be published. Its author may still edit it in review, so the revision
   * is compared and set in the same UPDATE as the status: an edit that lands between the
   * review and the publish, or while it runs, refuses the publish (ArticleChangedError) and
   * the edited text stays in review. Idempotent: of two EDITORs publishing the same revision
   * at once one changes it, and the other gets the article as published (its publishedAt, no
   * second event or audit entry).
   */
  async publish(editor: Viewer, id: string, revision: number, client: ClientInfo): Promise<ArticleRecord> {
    this.requireEditor(editor);
    return this.changeStatus(editor, id, {
      to: ArticleStatus.PUBLISHED,
      from: [ArticleStatus.IN_REVIEW],
      revision,
      judge: (article) => {
        if (article.status === ArticleStatus.DRAFT) {
          throw new ArticleStateError('Only an article in review can be published; its author submits it first.');
        }
        if (article.revision !== revision) throw new ArticleChangedError(article.revision);
        return article.status === ArticleStatus.PUBLISHED ? asItIs(article) : APPLY;
      },
      onChange: (article) => {
        announce(this.deps.events, id, [ArticleTopic.CHANGED, ArticleTopic.PUBLISHED]);
        return this.record(AuditEventType.ARTICLE_PUBLISHED, editor, article, client);
      },
    });
  }

  /**
   * An EDITOR takes a PUBLISHED article back to DRAFT: it returns to its author, who edits it
   * and submits it again (the EDITOR's reasons go in reviewNotes); IN_REVIEW would put it
   * straight back in the EDITORs' queue unchanged. publishedAt is cleared. Idempotent: an
   * article that is not published is answered as it is.
   */
  async unpublish(editor: Viewer, id: string, client: ClientInfo): Promise<ArticleRecord> {
    this.requireEditor(editor);
    return this.changeStatus(editor, id, {
      to: ArticleStatus.DRAFT,
      from: [ArticleStatus.PUBLISHED],
      judge: (article) => (article.status === ArticleStatus.PUBLISHED ? APPLY : asItIs(article)),
      onChange: (article) => {
        announce(this.deps.events, id, [ArticleTopic.CHANGED]);
        return this.record(AuditEventType.ARTICLE_UNPUBLISHED, editor, article, client);
      },
    });
  }

  /** An EDITOR's notes for the author, in any status; blank notes clear them. */
  async setReviewNotes(editor: Viewer, id: string, notes: string | null): Promise<ArticleRecord> {
    this.requireEditor(editor);
    const reviewNotes = validReviewNotes(notes);
    const updated =
      id.length <= MAX_ID_LENGTH ? await this.deps.articles.setReviewNotes(id, reviewNotes, this.deps.now()) : null;
    if (!updated) throw new ArticleNotFoundError();
    announce(this.deps.events, updated.id, [ArticleTopic.CHANGED]);
    return updated;
  }

  /** An ADMIN deletes an article in any status. Of two deletes at once, the second finds nothing. */
  async delete(admin: Viewer, id: string, client: ClientInfo): Promise<string> {
    if (!satisfiesRole(admin.roles, Role.ADMIN)) throw new ArticleChangeRefusedError([Role.ADMIN]);
    const deleted = id.length <= MAX_ID_LENGTH ? await this.deps.articles.delete(id) : null;
    if (!deleted) throw new ArticleNotFoundError();
    announce(this.deps.events, deleted.id, [ArticleTopic.CHANGED]);
    await this.record(AuditEventType.ARTICLE_DELETED, admin, deleted, client);
    return deleted.id;
  }

  /**
   * Reads the article, asks `judge` what to do with it as found, and moves it with a
   * compare-and-set. A lost race re-reads and judges again: the winner's result may already
   * be what was asked for (answered as it is), or forbid the change (judge throws).
   */
  private async changeStatus(
    viewer: Viewer,
    id: string,
    plan: {
      readonly from: readonly ArticleStatus[];
      readonly to: ArticleStatus;
      readonly authorId?: string;
      readonly revision?: number;
      readonly judge: (article: ArticleRecord) => Verdict;
      readonly onChange: (article: ArticleRecord) => void | Promise<void>;
    },
  ): Promise<ArticleRecord> {
    for (let attempt = 1; attempt <= MAX_TRANSITION_ATTEMPTS; attempt++) {
      const article = await this.findOrFail(viewer, id);
      const verdict = plan.judge(article);
      if (!verdict.apply) return verdict.answer;
      const moved = await this.deps.articles.transition(article.id, {
        from: plan.from,
        to: plan.to,
        now: this.deps.now(),
        ...(plan.authorId !== undefined ? { authorId: plan.authorId } : {}),
        ...(plan.revision !== undefined ? { revision: plan.revision } : {}),
      });
      if (moved) {
        await plan.onChange(moved);
        return moved;
      }
    }
    throw new ArticleStateError('This article is being changed by someone else; try again.');
  }

  private async findOrFail(viewer: Viewer, id: string): Promise<ArticleRecord> {
    const article = await this.findVisible(viewer, id);
    if (!article) throw new ArticleNotFoundError();
    return article;
  }

  // The resolvers' policies already demand the role; this keeps the service safe to call from elsewhere.
  private requireEditor(viewer: Viewer): void {
    if (!isEditor(viewer)) throw new ArticleChangeRefusedError([Role.EDITOR]);
  }

  private record(type: AuditEventType, actor: Viewer, article: ArticleRecord, client: ClientInfo): Promise<void> {
    return this.deps.audit.record(type, {
      userId: article.authorId,
      actorId: actor.id,
      client,
      details: { articleId: article.id, status: article.status },
    });
  }
}

function isEditor(viewer: Viewer): boolean {
  return satisfiesRole(viewer.roles, Role.EDITOR);
}

function publishedIsFrozen(): ArticleStateError {
  return new ArticleStateError('A published article cannot be edited; an EDITOR unpublishes it first.');
}
