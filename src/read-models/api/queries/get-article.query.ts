import { Injectable } from '@nestjs/common';
import { QueryHandler } from '@nestjs/cqrs';
import { articleJson, articlesProjection, headerOf } from '../../../../projections/articles.projection';
import { JsonText } from '../../../http/large-json';
import { NotFoundError } from '../../../common/app-error';
import { ReadModelQuery, ReadModelQueryHandler } from './read-model-query';

/** An article's read model as stored (JSON text of an ArticleReadModel), and its revision (a number: the ETag). */
export interface StoredArticle {
  revision: number;
  json: JsonText;
}

export class GetArticleQuery extends ReadModelQuery<StoredArticle> {
  constructor(
    /** The article's id (a UUID). */
    readonly id: string,
    minPosition?: string,
  ) {
    super(minPosition);
  }
}

/**
 * One article's read model, as stored: a maximum article is about 10 million characters of JSON,
 * which is sent as it is rather than parsed and serialised again: its body, quotes and corrections,
 * stored apart from the rest of it, are spliced as text (articleJson) into its header, the small rest
 * of it, made from its summary (headerOf), with its revision; the parts are read in the same snapshot.
 * NotFoundError (404) when there is none.
 */
@Injectable()
@QueryHandler(GetArticleQuery)
export class GetArticleHandler extends ReadModelQueryHandler<GetArticleQuery, StoredArticle> {
  protected readonly projections = [articlesProjection.name];

  protected read({ id }: GetArticleQuery): StoredArticle {
    const article = this.reader.snapshot(() => {
      const summary = this.reader.get(articlesProjection, 'summaries', id);
      if (summary === undefined) return undefined;
      const json = Buffer.from(JSON.stringify(headerOf(summary)));
      const part = (collection: 'article_body' | 'article_quotes' | 'article_corrections') => this.reader.getJsonBytes(articlesProjection, collection, id);
      const parts = { body: part('article_body'), quotes: part('article_quotes'), corrections: part('article_corrections') };
      return { revision: summary.revision, json: new JsonText(articleJson(json, parts)) };
    });
    if (!article) throw new NotFoundError(`There is no article ${id}`);
    return article;
  }
}
