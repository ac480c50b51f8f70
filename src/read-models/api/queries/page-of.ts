import { DEFAULT_PAGE_SIZE, PageQueryParams } from '../read-query.schemas';

/** The limit (defaulted) and cursor of a list request. */
export function pageOf(params: PageQueryParams): { limit: number; cursor?: string } {
  return { limit: params.limit ?? DEFAULT_PAGE_SIZE, cursor: params.cursor };
}
