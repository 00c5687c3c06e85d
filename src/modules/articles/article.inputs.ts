import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { ArticleStatus } from './article.model';
import { BODY_MAX_LENGTH, REVIEW_NOTES_MAX_LENGTH, TITLE_MAX_LENGTH } from './article.rules';

export const ARTICLE_PAGE = { default: 20, max: 50 } as const;

@ArgsType()
export class ArticlesArgs {
  @Field(() => ArticleStatus, { nullable: true, description: 'Only articles in this status (of those you may see).' })
  status?: ArticleStatus | null;

  @Field(() => ID, { nullable: true, description: 'Only articles by this author (of those you may see).' })
  authorId?: string | null;

  @Field(() => Int, { nullable: true, defaultValue: ARTICLE_PAGE.default, description: `1 to ${ARTICLE_PAGE.max}.` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: "A previous page's `endCursor`." })
  after?: string | null;
}

@InputType()
export class CreateArticleInput {
  @Field(() => String, { description: `1 to ${TITLE_MAX_LENGTH} characters, one line.` })
  title!: string;

  @Field(() => String, { description: `1 to ${BODY_MAX_LENGTH} characters.` })
  body!: string;
}

@InputType({ description: 'What to change; at least one of the two.' })
export class UpdateArticleInput {
  @Field(() => String, { nullable: true, description: `1 to ${TITLE_MAX_LENGTH} characters, one line.` })
  title?: string | null;

  @Field(() => String, { nullable: true, description: `1 to ${BODY_MAX_LENGTH} characters.` })
  body?: string | null;
}

@ArgsType()
export class ArticleIdArgs {
  @Field(() => ID)
  id!: string;
}

@ArgsType()
export class UpdateArticleArgs extends ArticleIdArgs {
  @Field(() => UpdateArticleInput)
  input!: UpdateArticleInput;
}

@ArgsType()
export class PublishArticleArgs extends ArticleIdArgs {
  @Field(() => Int, {
    description:
      'The revision you reviewed (Article.revision). If its author has changed the text since, nothing is published: BAD_USER_INPUT with reason ARTICLE_CHANGED.',
  })
  revision!: number;
}

@ArgsType()
export class SetArticleReviewNotesArgs extends ArticleIdArgs {
  @Field(() => String, {
    nullable: true,
    description: `At most ${REVIEW_NOTES_MAX_LENGTH} characters; null or blank clears them.`,
  })
  reviewNotes!: string | null;
}
