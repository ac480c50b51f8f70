import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

const POSITION = /^\d{1,20}(\/\d{1,20})?$/;

/** ?minPosition: wait (up to 5 s) for the read models to reach a position a command returned. */
export class ReadQueryDto {
  @IsOptional()
  @Matches(POSITION, { message: 'minPosition must be a log position such as "1234"' })
  minPosition?: string;
}

export const DEFAULT_PAGE_SIZE = 50;

/** ?limit and ?cursor of every list. */
export class PageQueryDto extends ReadQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(500)
  limit?: number;

  @IsOptional()
  @IsString()
  @Length(1, 1000)
  cursor?: string;
}

export const ARTICLE_STATUSES = ['draft', 'published', 'retracted'] as const;

export class ListArticlesQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(ARTICLE_STATUSES)
  status?: (typeof ARTICLE_STATUSES)[number];
}

export class SearchQuotesQueryDto extends PageQueryDto {
  /** Words of the speaker's name, matched case- and accent-insensitively at word starts. */
  @IsOptional()
  @IsString()
  @Length(1, 300)
  speaker?: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  articleId?: string;

  /** Words of the quote's text; every one must match. */
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  q?: string;

  @IsOptional()
  @IsIn(['active', 'withdrawn'])
  status?: 'active' | 'withdrawn';
}

export class ListCorrectionsQueryDto extends PageQueryDto {
  @IsOptional()
  @IsString()
  @Length(1, 200)
  articleId?: string;
}
