import { Injectable } from '@nestjs/common';
import { QueryHandler } from '@nestjs/cqrs';
import { QuoteReadModel, quotesProjection } from '../../../../projections/quotes.projection';
import { asOfProjection } from '../../../../projections/as-of.projection';
import { instantOf, validAt } from '../as-of';
import { SearchQuotesParams } from '../read-query.schemas';
import { Filter, Page } from '../../engine/read-model-reader';
import { searchQuery, TooManySearchTermsError, type SearchQuery } from '../../../text';
import { pageOf } from './page-of';
import { ReadModelQuery, ReadModelQueryHandler } from './read-model-query';
import { InvalidInputError } from '../../../common/app-error';

export class SearchQuotesQuery extends ReadModelQuery<Page<QuoteReadModel>> {
  constructor(readonly params: SearchQuotesParams) {
    super(params.minPosition);
  }
}

/** Quotes across articles, newest attribution first; with `asOf`, the quotes as they stood at that instant (the as_of projection's versions). */
@Injectable()
@QueryHandler(SearchQuotesQuery)
export class SearchQuotesHandler extends ReadModelQueryHandler<SearchQuotesQuery, Page<QuoteReadModel>> {
  protected readonly projections = [quotesProjection.name, asOfProjection.name];

  protected read({ params }: SearchQuotesQuery): Page<QuoteReadModel> {
    const filters: Filter[] = [];
    if (params.articleId !== undefined) filters.push({ column: 'article_id', equals: params.articleId });
    if (params.status !== undefined) filters.push({ column: 'status', equals: params.status });
    if (params.speaker !== undefined) filters.push({ column: 'speaker_words', matches: terms('speaker', params.speaker) });
    if (params.q !== undefined) filters.push({ column: 'text_words', matches: terms('q', params.q) });
    if (params.asOf !== undefined) {
      const instant = instantOf(params.asOf);
      const page = this.reader.page(asOfProjection, 'quotes_quotes', {
        ...pageOf(params),
        // A quote is attributed at its QuoteAttributed's occurredAt (the command's one instant), so none
        // attributed after the instant has a version then: the bound lets the index start there.
        filters: [...filters, ...validAt(instant), { column: 'attributed_at', atMost: instant }],
        newestFirstBy: 'attributed_at',
      });
      return { items: page.items.map((version) => version.doc), nextCursor: page.nextCursor };
    }
    return this.reader.page(quotesProjection, 'quotes', { ...pageOf(params), filters, newestFirstBy: 'attributed_at' });
  }
}

/**
 * Distinct words a search may hold: each is a scan of the quotes' words, so the work of one
 * request stays bounded whatever the query (a 1,000-character query once held 178 words).
 */
export const MAX_SEARCH_WORDS = 16;

function terms(field: 'speaker' | 'q', text: string): SearchQuery {
  try {
    return searchQuery(text, MAX_SEARCH_WORDS);
  } catch (error) {
    if (!(error instanceof TooManySearchTermsError)) throw error;
    throw new InvalidInputError(`A search holds at most ${MAX_SEARCH_WORDS} distinct words`, [
      { field, message: `must hold at most ${MAX_SEARCH_WORDS} distinct words (${error.count} given)` },
    ]);
  }
}
