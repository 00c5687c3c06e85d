import type { AuthRule } from '../../auth/policies';
import { InvalidInputError } from '../../errors/domain-errors';

/**
 * No article with this id that the caller may see. The one answer for an id that does not
 * exist and for someone else's draft: an error that differed would tell a guesser which
 * ids are drafts.
 */
export class ArticleNotFoundError extends InvalidInputError {
  constructor(field = 'id') {
    super(field, 'There is no article with this id.');
  }
}

/** The article is visible to the caller but not in a state that allows this change. */
export class ArticleStateError extends InvalidInputError {
  constructor(message: string) {
    super('id', message);
  }
}

/**
 * The article's text is no longer the revision the caller acted on: an EDITOR reviewed one
 * text and its author has changed it since. Publishing it would put out words nobody
 * reviewed, so the EDITOR reads it again and publishes the revision they approve.
 */
export class ArticleChangedError extends InvalidInputError {
  constructor(current: number) {
    super(
      'revision',
      `This article has changed since the revision you reviewed; it is now at revision ${current}. Review it again.`,
      'ARTICLE_CHANGED',
    );
  }
}

/**
 * The caller may read this article but not make this change (someone else's published
 * article, someone else's draft to submit). Only for articles the caller can see: telling
 * them "not yours" reveals nothing they could not read. Not a DomainError: the articles
 * resolver turns it into FORBIDDEN, and anything that forgets to is masked, not leaked.
 */
export class ArticleChangeRefusedError extends Error {
  override readonly name = 'ArticleChangeRefusedError';
  constructor(readonly requires: readonly AuthRule[]) {
    super('You may not change this article.');
  }
}
