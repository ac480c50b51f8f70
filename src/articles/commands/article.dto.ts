import type { BlockInput } from '../domain/article.commands';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  MaxLength,
  registerDecorator,
  ValidateNested,
  ValidationArguments,
} from 'class-validator';

/** The limits of API.md; beyond them a command gets 400. */
export const LIMITS = {
  headline: 300,
  standfirst: 600,
  blocks: 500,
  blockChars: 20_000,
  quoteText: 5_000,
  note: 2_000,
  reason: 1_000,
  byline: 20,
  name: 200,
} as const;

/** A list block's items count toward the block's 20,000 characters; a block has only its own fields. */
function BlockShape(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'blockShape',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate(_: unknown, args: ValidationArguments) {
          const block = args.object as BodyBlockDto;
          if (block.type === 'list') {
            return block.text === undefined && Array.isArray(block.items) && totalChars(block.items) <= LIMITS.blockChars;
          }
          return block.items === undefined && typeof block.text === 'string';
        },
        defaultMessage: (args: ValidationArguments) =>
          (args.object as BodyBlockDto).type === 'list'
            ? `a list block has "items" (at most ${LIMITS.blockChars} characters in all) and no "text"`
            : 'a paragraph or heading block has "text" and no "items"',
      },
    });
}

const totalChars = (items: unknown[]) => items.reduce<number>((n, item) => n + (typeof item === 'string' ? item.length : 0), 0);

export class BodyBlockDto {
  @ApiProperty({ enum: ['paragraph', 'heading', 'list'] })
  @IsIn(['paragraph', 'heading', 'list'])
  @BlockShape()
  type!: 'paragraph' | 'heading' | 'list';

  @ApiPropertyOptional({ description: 'Stable block id; the server assigns one when absent' })
  @IsOptional()
  @IsString()
  @Matches(/^[\w-]{1,64}$/, { message: 'id must be 1-64 letters, digits, "_" or "-"' })
  id?: string;

  @ApiPropertyOptional({ maxLength: LIMITS.blockChars })
  @IsOptional()
  @IsString()
  @Length(1, LIMITS.blockChars)
  text?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  @Length(1, LIMITS.blockChars, { each: true })
  items?: string[];
}

export class WithReasonDto {
  @ApiPropertyOptional({ maxLength: LIMITS.reason, description: 'Why; required when the article is published' })
  @IsOptional()
  @IsString()
  @Length(1, LIMITS.reason)
  reason?: string;
}

export const BodyProperty = (): PropertyDecorator => (target, key) => {
  ApiProperty({ type: [BodyBlockDto], minItems: 1, maxItems: LIMITS.blocks })(target, key);
  IsArray()(target, key);
  ArrayMinSize(1)(target, key);
  ArrayMaxSize(LIMITS.blocks)(target, key);
  ValidateNested({ each: true })(target, key);
  Type(() => BodyBlockDto)(target, key);
};

export class SpeakerDto {
  @ApiProperty({ maxLength: LIMITS.name })
  @IsString()
  @Length(1, LIMITS.name)
  name!: string;

  @ApiPropertyOptional({ maxLength: LIMITS.name })
  @IsOptional()
  @IsString()
  @Length(1, LIMITS.name)
  title?: string;
}

export class SourceDto {
  @ApiProperty({ maxLength: LIMITS.note })
  @IsString()
  @Length(1, LIMITS.note)
  description!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUrl({ require_protocol: true, protocols: ['http', 'https'] })
  @MaxLength(2_000)
  url?: string;
}

export class QuoteDto extends WithReasonDto {
  @ApiProperty({ type: SpeakerDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => SpeakerDto)
  speaker!: SpeakerDto;

  @ApiProperty({ minLength: 1, maxLength: LIMITS.quoteText })
  @IsString()
  @Length(1, LIMITS.quoteText)
  text!: string;

  @ApiPropertyOptional({ type: SourceDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => SourceDto)
  source?: SourceDto;
}

/** The validated blocks as the domain's plain block inputs. */
export function toBlockInputs(blocks: BodyBlockDto[]): BlockInput[] {
  return blocks.map((block): BlockInput => {
    const id = block.id === undefined ? {} : { id: block.id };
    return block.type === 'list' ? { ...id, type: 'list', items: [...block.items!] } : { ...id, type: block.type, text: block.text! };
  });
}
