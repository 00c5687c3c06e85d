import { ObjectType } from 'type-graphql';
import { Public } from '../../auth/policies';
import { Connection } from '../../graphql/connection';
import { Article } from './article.type';

@Public()
@ObjectType({ description: 'A page of articles, newest first.' })
export class ArticleConnection extends Connection(Article, 'Article') {}
