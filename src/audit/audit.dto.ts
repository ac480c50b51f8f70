import { PipeTransform } from '@nestjs/common';
import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { InvalidInputError } from '../common/app-error';

/** A revision as a path or query value: a decimal integer, first event = 0. */
const REVISION = /^\d{1,15}$/;
const REVISION_MESSAGE = 'must be a revision: a non-negative decimal integer';

export const HISTORY_LIMITS = { default: 50, max: 500 } as const;

/**
 * The audit endpoints read the stream itself, which is current the moment an append returns, so
 * minPosition (accepted on every read, see API.md) is already satisfied and needs no wait.
 */
export class AuditReadQueryDto {
  @ApiPropertyOptional({ description: 'Accepted for symmetry with the other reads; the stream is always current' })
  @IsOptional()
  @Matches(/^(-1|\d{1,20})(?:\/(-1|\d{1,20}))?$/, { message: 'minPosition must be a log position' })
  minPosition?: string;
}

export class HistoryQueryDto extends AuditReadQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: HISTORY_LIMITS.max, default: HISTORY_LIMITS.default })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(HISTORY_LIMITS.max)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page (the revision it starts at)' })
  @IsOptional()
  @Matches(REVISION, { message: 'cursor must be a nextCursor from a previous page' })
  cursor?: string;
}

export class DiffQueryDto extends AuditReadQueryDto {
  @ApiProperty({ description: 'The earlier revision' })
  @Matches(REVISION, { message: `from ${REVISION_MESSAGE}` })
  from!: string;

  @ApiProperty({ description: 'The later revision' })
  @Matches(REVISION, { message: `to ${REVISION_MESSAGE}` })
  to!: string;
}

/** The :revision path parameter as a number; 400 for anything but a revision. */
export class ParseRevisionPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    if (!REVISION.test(value)) throw new InvalidInputError(`revision ${REVISION_MESSAGE}`, [{ field: 'revision', message: REVISION_MESSAGE }]);
    return Number(value);
  }
}
