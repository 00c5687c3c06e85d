import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Public, RequireRole, SignedIn } from '../../auth/policies';
import { Role } from '../../auth/roles';
import type { Context } from '../../context';
import { forbidden } from '../../errors/graphql-errors';
import { Paged, pageSize, toConnection, type ConnectionShape } from '../../graphql/connection';
import { decodeCursor } from '../../graphql/keyset-cursor';
import { signedIn } from '../../graphql/signed-in';
import type { UserRecord } from '../user/user.model';
import { User } from '../user/user.type';
import type { ArticleAuthors } from './article-authors';
import { ArticleConnection } from './article-connection.type';
import { ArticleChangeRefusedError } from './article.errors';
import {
  ARTICLE_PAGE,
  ArticleIdArgs,
  PublishArticleArgs,
  ArticlesArgs,
  CreateArticleInput,
  SetArticleReviewNotesArgs,
  UpdateArticleArgs,
} from './article.inputs';
import type { ArticleRecord } from './article.model';
import type { ArticleService } from './article.service';
import { Article } from './article.type';

/** The edge of the module: "visible, but not yours to change" becomes FORBIDDEN with what it requires. */
async function refusalAsForbidden<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof ArticleChangeRefusedError) throw forbidden(error.requires);
    throw error;
  }
}

@Resolver(() => Article)
export class ArticleResolver {
  constructor(
    private readonly service: ArticleService,
    private readonly authors: ArticleAuthors,
  ) {}

  @Public()
  @Query(() => Article, {
    nullable: true,
    description: 'An article by id; null when there is none or it is a draft you may not see (the same null).',
  })
  article(@Arg('id', () => ID) id: string, @Ctx() { viewer }: Context): Promise<ArticleRecord | null> {
    return this.service.findVisible(viewer, id);
  }

  @Public()
  @Paged(ARTICLE_PAGE)
  @Query(() => ArticleConnection, {
    description: `Articles you may see, newest first, at most ${ARTICLE_PAGE.max} a page: anyone the published ones, their author also their drafts, an EDITOR all.`,
  })
  async articles(
    @Args(() => ArticlesArgs) { status, authorId, first, after }: ArticlesArgs,
    @Ctx() { viewer }: Context,
  ): Promise<ConnectionShape<ArticleRecord>> {
    const size = pageSize(first, ARTICLE_PAGE);
    const position = after ? decodeCursor(after) : null;
    const page = await this.service.list(
      viewer,
      { status: status ?? null, authorId: authorId ?? null },
      size,
      position,
    );
    return toConnection(page.articles, page.hasNextPage, (article) => ({
      time: article.createdAt.getTime(),
      id: article.id,
    }));
  }

  @FieldResolver(() => User)
  async author(@Root() article: ArticleRecord, @Ctx() context: Context): Promise<UserRecord> {
    const author = await this.authors.load(context, article.authorId);
    // The foreign key makes this impossible; if it happens, fail loudly rather than answer a wrong author.
    if (!author) throw new Error(`Article ${article.id} has no author ${article.authorId}`);
    return author;
  }

  @SignedIn()
  @Mutation(() => Article, { description: 'Starts a DRAFT, written by you.' })
  createArticle(
    @Arg('input', () => CreateArticleInput) input: CreateArticleInput,
    @Ctx() { viewer }: Context,
  ): Promise<ArticleRecord> {
    return this.service.create(signedIn(viewer), input);
  }

  @SignedIn()
  @Mutation(() => Article, {
    description: 'Changes the title and/or body of a DRAFT or IN_REVIEW article: its author, or an EDITOR.',
  })
  updateArticle(@Args(() => UpdateArticleArgs) { id, input }: UpdateArticleArgs, @Ctx() { viewer }: Context) {
    return refusalAsForbidden(this.service.update(signedIn(viewer), id, input));
  }

  @SignedIn()
  @Mutation(() => Article, {
    description: 'Its author submits a DRAFT for review (→ IN_REVIEW). Already in review: answered unchanged.',
  })
  submitArticle(@Args(() => ArticleIdArgs) { id }: ArticleIdArgs, @Ctx() { viewer }: Context) {
    return refusalAsForbidden(this.service.submit(signedIn(viewer), id));
  }

  @RequireRole(Role.EDITOR)
  @Mutation(() => Article, {
    description:
      'Publishes an article IN_REVIEW at the revision you reviewed, and sets publishedAt. Changed since: refused (ARTICLE_CHANGED). Already published at that revision: answered unchanged.',
  })
  publishArticle(
    @Args(() => PublishArticleArgs) { id, revision }: PublishArticleArgs,
    @Ctx() { viewer, client }: Context,
  ) {
    return refusalAsForbidden(this.service.publish(signedIn(viewer), id, revision, client));
  }

  @RequireRole(Role.EDITOR)
  @Mutation(() => Article, {
    description:
      'Takes a published article back to DRAFT, for its author to rework and submit again; clears publishedAt. Not published: answered unchanged.',
  })
  unpublishArticle(@Args(() => ArticleIdArgs) { id }: ArticleIdArgs, @Ctx() { viewer, client }: Context) {
    return refusalAsForbidden(this.service.unpublish(signedIn(viewer), id, client));
  }

  @RequireRole(Role.EDITOR)
  @Mutation(() => Article, { description: "Sets an EDITOR's notes for the author (only they and EDITORs read them)." })
  setArticleReviewNotes(
    @Args(() => SetArticleReviewNotesArgs) { id, reviewNotes }: SetArticleReviewNotesArgs,
    @Ctx() { viewer }: Context,
  ) {
    return refusalAsForbidden(this.service.setReviewNotes(signedIn(viewer), id, reviewNotes ?? null));
  }

  @RequireRole(Role.ADMIN)
  @Mutation(() => ID, { description: 'Deletes an article in any status; answers its id.' })
  deleteArticle(@Args(() => ArticleIdArgs) { id }: ArticleIdArgs, @Ctx() { viewer, client }: Context) {
    return refusalAsForbidden(this.service.delete(signedIn(viewer), id, client));
  }
}
