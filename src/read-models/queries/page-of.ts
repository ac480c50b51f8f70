import { DEFAULT_PAGE_SIZE, PageQueryDto } from '../dto/read-query.dto';

/** The limit (defaulted) and cursor of a list request. */
export function pageOf(params: PageQueryDto): { limit: number; cursor?: string } {
  return { limit: params.limit ?? DEFAULT_PAGE_SIZE, cursor: params.cursor };
}
