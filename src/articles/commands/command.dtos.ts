import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { BodyBlockDto, BodyProperty, LIMITS, SourceDto, SpeakerDto, WithReasonDto } from './article.dto';

export { QuoteDto } from './article.dto';

export class DraftArticleDto extends WithReasonDto {
  @ApiProperty({ minLength: 1, maxLength: LIMITS.headline })
  @IsString()
  @Length(1, LIMITS.headline)
  headline!: string;

  @ApiPropertyOptional({ maxLength: LIMITS.standfirst })
  @IsOptional()
  @IsString()
  @MaxLength(LIMITS.standfirst)
  standfirst?: string;

  @BodyProperty()
  body!: BodyBlockDto[];

  @ApiPropertyOptional({ type: [String], maxItems: LIMITS.byline })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIMITS.byline)
  @IsString({ each: true })
  @Length(1, LIMITS.name, { each: true })
  byline?: string[];
}

export class ReviseHeadlineDto extends WithReasonDto {
  @ApiProperty({ minLength: 1, maxLength: LIMITS.headline })
  @IsString()
  @Length(1, LIMITS.headline)
  headline!: string;
}

export class ReviseStandfirstDto extends WithReasonDto {
  @ApiProperty({ maxLength: LIMITS.standfirst, description: 'An empty string removes the standfirst' })
  @IsString()
  @MaxLength(LIMITS.standfirst)
  standfirst!: string;
}

export class ReviseBodyDto extends WithReasonDto {
  @BodyProperty()
  body!: BodyBlockDto[];
}

export class ReasonOnlyDto extends WithReasonDto {}

export class UnpublishDto {
  @ApiProperty({ minLength: 1, maxLength: LIMITS.reason })
  @IsString()
  @Length(1, LIMITS.reason)
  reason!: string;
}

export class QuoteCorrectionDto {
  @ApiProperty()
  @IsUUID()
  quoteId!: string;

  @ApiPropertyOptional({ type: SpeakerDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => SpeakerDto)
  speaker?: SpeakerDto;

  @ApiPropertyOptional({ maxLength: LIMITS.quoteText })
  @IsOptional()
  @IsString()
  @Length(1, LIMITS.quoteText)
  text?: string;

  @ApiPropertyOptional({ type: SourceDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => SourceDto)
  source?: SourceDto;
}

export class IssueCorrectionDto {
  @ApiProperty({ enum: ['correction', 'clarification', 'editors-note'] })
  @IsIn(['correction', 'clarification', 'editors-note'])
  kind!: 'correction' | 'clarification' | 'editors-note';

  @ApiProperty({ minLength: 1, maxLength: LIMITS.note })
  @IsString()
  @Length(1, LIMITS.note)
  note!: string;

  @ApiPropertyOptional({ maxLength: LIMITS.headline })
  @IsOptional()
  @IsString()
  @Length(1, LIMITS.headline)
  headline?: string;

  @ApiPropertyOptional({ maxLength: LIMITS.standfirst })
  @IsOptional()
  @IsString()
  @MaxLength(LIMITS.standfirst)
  standfirst?: string;

  @IsOptional()
  @BodyProperty()
  body?: BodyBlockDto[];

  @ApiPropertyOptional({ type: [QuoteCorrectionDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => QuoteCorrectionDto)
  quotes?: QuoteCorrectionDto[];
}

export class RetractDto {
  @ApiProperty({ minLength: 1, maxLength: LIMITS.note })
  @IsString()
  @Length(1, LIMITS.note)
  note!: string;
}
