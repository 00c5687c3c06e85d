import { Field, ID, Int, ObjectType } from 'type-graphql';
import { OwnerOr, Public } from '../../auth/policies';
import { Role } from '../../auth/roles';
import { User } from '../user/user.type';
import { ArticleStatus, type ArticleRecord } from './article.model';

/** An article belongs to its author: SELF in a policy on its fields means them. */
const WRITTEN_BY_ITS_AUTHOR = { owner: (article: Article) => article.authorId };

/**
 * Which articles a viewer gets at all is decided in the service (in SQL): anyone the
 * PUBLISHED ones, an author also their own, an EDITOR every one. The field policies
 * below apply on top, to an article the viewer already has.
 */
@ObjectType({ description: 'A piece of writing: drafted by its author, reviewed and published by an EDITOR.' })
export class Article implements Omit<ArticleRecord, 'authorId'> {
  @Public()
  @Field(() => ID)
  id!: string;

  /** Not a GraphQL field: `author` resolves it (batched). */
  authorId!: string;

  @Public()
  @Field(() => String)
  title!: string;

  @Public()
  @Field(() => String)
  body!: string;

  @Public()
  @Field(() => ArticleStatus)
  status!: ArticleStatus;

  @Public()
  @Field(() => User)
  author!: User;

  @Public()
  @Field(() => Date)
  createdAt!: Date;

  @Public()
  @Field(() => Date, { description: 'The last change of its text, status or review notes.' })
  updatedAt!: Date;

  @Public()
  @Field(() => Date, { nullable: true, description: 'When it was published; null while it is not.' })
  publishedAt!: Date | null;

  @Public()
  @Field(() => Int, {
    description:
      'Its text’s revision: 1 when written, one more with each change of title or body. An EDITOR publishes the revision they reviewed.',
  })
  revision!: number;

  @OwnerOr(WRITTEN_BY_ITS_AUTHOR, Role.EDITOR)
  @Field(() => String, { nullable: true, description: "An EDITOR's notes for the author; null when there are none." })
  reviewNotes!: string | null;
}
