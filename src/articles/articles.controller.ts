import { Controller, Delete, HttpCode, Post, Put, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply as Response } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Roles } from '../auth/roles.decorator';
import { ApiCommand } from '../http/openapi';
import { ValidBody } from '../http/request-schema';
import { UuidParam } from '../http/uuid-param';
import type { CommandRequest } from './commands/article-command.runner';
import { ArticleCommandMessage } from './commands/article-command.message';
import { COMMAND_BODIES, type BodyBlockRequest, type DraftArticleRequest, type IssueCorrectionRequest, type QuoteRequest } from './commands/command.schemas';
import { CommandContext, commandRequest, type RequestContext } from './commands/command-request';
import { idempotentArticleId } from './commands/idempotency';
import type { ArticleCommand, BlockInput } from './domain/article.commands';
import { isBlank } from '../text';

const ArticleId = () => UuidParam('id');
const QuoteId = () => UuidParam('quoteId');

type Reason = { reason?: string };

/** The write side of API.md: every command goes through the CommandBus. */
@ApiTags('commands')
@Controller('api/articles')
export class ArticlesController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('reporter', 'editor')
  @ApiCommand({ status: 201, existing: false, location: true })
  async draft(@ValidBody(COMMAND_BODIES.draft) dto: DraftArticleRequest, @CommandContext() context: RequestContext, @Res({ passthrough: true }) res: Response) {
    const articleId = context.idempotencyKey === null ? randomUUID() : idempotentArticleId(context.user.id, context.idempotencyKey);
    const data = { articleId, headline: dto.headline, standfirst: standfirstOrNull(dto.standfirst), body: blocks(dto.body), byline: dto.byline };
    const outcome = await this.run(articleId, { type: 'DraftArticle', data }, commandRequest(context, dto, dto.reason), res);
    res.status(201).header('Location', `/api/articles/${articleId}`);
    return outcome;
  }

  @Put(':id/headline')
  @Roles('reporter', 'editor')
  @ApiCommand({ status: 200, existing: true })
  headline(
    @ArticleId() id: string,
    @ValidBody(COMMAND_BODIES.headline) dto: { headline: string } & Reason,
    @CommandContext() context: RequestContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.run(id, { type: 'ReviseHeadline', data: { headline: dto.headline } }, commandRequest(context, dto, dto.reason), res);
  }

  @Put(':id/standfirst')
  @Roles('reporter', 'editor')
  @ApiCommand({ status: 200, existing: true })
  standfirst(
    @ArticleId() id: string,
    @ValidBody(COMMAND_BODIES.standfirst) dto: { standfirst: string } & Reason,
    @CommandContext() context: RequestContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const data = { standfirst: standfirstOrNull(dto.standfirst) };
    return this.run(id, { type: 'ReviseStandfirst', data }, commandRequest(context, dto, dto.reason), res);
  }

  @Put(':id/body')
  @Roles('reporter', 'editor')
  @ApiCommand({ status: 200, existing: true })
  body(
    @ArticleId() id: string,
    @ValidBody(COMMAND_BODIES.body) dto: { body: BodyBlockRequest[] } & Reason,
    @CommandContext() context: RequestContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.run(id, { type: 'ReviseBody', data: { body: blocks(dto.body) } }, commandRequest(context, dto, dto.reason), res);
  }

  @Post(':id/quotes')
  @Roles('reporter', 'editor')
  @ApiCommand({ status: 201, existing: true })
  async attributeQuote(
    @ArticleId() id: string,
    @ValidBody(COMMAND_BODIES.quote) dto: QuoteRequest,
    @CommandContext() context: RequestContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const data = { speaker: dto.speaker, text: dto.text, source: dto.source ?? null };
    const outcome = await this.run(id, { type: 'AttributeQuote', data }, commandRequest(context, dto, dto.reason), res);
    res.status(201);
    return outcome;
  }

  @Put(':id/quotes/:quoteId')
  @Roles('reporter', 'editor')
  @ApiCommand({ status: 200, existing: true })
  amendQuote(
    @ArticleId() id: string,
    @QuoteId() quoteId: string,
    @ValidBody(COMMAND_BODIES.quote) dto: QuoteRequest,
    @CommandContext() context: RequestContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    // PUT replaces the quote: a source left out is removed.
    const data = { quoteId, speaker: dto.speaker, text: dto.text, source: dto.source ?? null };
    return this.run(id, { type: 'AmendQuote', data }, commandRequest(context, dto, dto.reason), res);
  }

  @Delete(':id/quotes/:quoteId')
  @Roles('reporter', 'editor')
  @ApiCommand({ status: 200, existing: true })
  withdrawQuote(
    @ArticleId() id: string,
    @QuoteId() quoteId: string,
    @ValidBody(COMMAND_BODIES.reasonOnly) dto: Reason,
    @CommandContext() context: RequestContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.run(id, { type: 'WithdrawQuote', data: { quoteId } }, commandRequest(context, dto, dto.reason), res);
  }

  @Post(':id/publish')
  @HttpCode(200)
  @Roles('editor')
  @ApiCommand({ status: 200, existing: true })
  publish(
    @ArticleId() id: string,
    @ValidBody(COMMAND_BODIES.reasonOnly) dto: Reason,
    @CommandContext() context: RequestContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.run(id, { type: 'PublishArticle', data: {} }, commandRequest(context, dto, dto.reason), res);
  }

  @Post(':id/unpublish')
  @HttpCode(200)
  @Roles('editor')
  @ApiCommand({ status: 200, existing: true })
  unpublish(
    @ArticleId() id: string,
    @ValidBody(COMMAND_BODIES.unpublish) dto: { reason: string },
    @CommandContext() context: RequestContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.run(id, { type: 'UnpublishArticle', data: {} }, commandRequest(context, dto, dto.reason), res);
  }

  @Post(':id/corrections')
  @Roles('standards')
  @ApiCommand({ status: 201, existing: true })
  async correct(
    @ArticleId() id: string,
    @ValidBody(COMMAND_BODIES.correction) dto: IssueCorrectionRequest,
    @CommandContext() context: RequestContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { kind, note, headline, standfirst, body, quotes } = dto;
    const data = { kind, note, headline, standfirst: standfirst === undefined ? undefined : standfirstOrNull(standfirst), body: body && blocks(body), quotes };
    // The note is the correction's reason (API.md), unless the request gives one of its own.
    const outcome = await this.run(id, { type: 'IssueCorrection', data }, commandRequest(context, dto, dto.reason ?? note), res);
    res.status(201);
    return outcome;
  }

  @Post(':id/retract')
  @HttpCode(200)
  @Roles('standards')
  @ApiCommand({ status: 200, existing: true })
  retract(
    @ArticleId() id: string,
    @ValidBody(COMMAND_BODIES.retract) dto: { note: string } & Reason,
    @CommandContext() context: RequestContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.run(id, { type: 'RetractArticle', data: { note: dto.note } }, commandRequest(context, dto, dto.reason ?? dto.note), res);
  }

  /**
   * Sends the command on the CommandBus (ArticleCommandHandler runs it) and answers
   * `{ articleId, revision, position }` (+ quoteId/correctionId) with its ETag (API.md, Commands).
   */
  private async run(articleId: string, command: ArticleCommand, request: CommandRequest, res: Response) {
    const outcome = await this.commands.execute(new ArticleCommandMessage(articleId, command, request));
    res.header('ETag', `"${outcome.revision}"`);
    const created: Record<string, string> = {};
    for (const event of outcome.events) {
      if (event.type === 'QuoteAttributed') created.quoteId = event.data.quoteId;
      if (event.type === 'CorrectionIssued') created.correctionId = event.data.correctionId;
    }
    return { articleId: outcome.articleId, revision: Number(outcome.revision), position: outcome.position.commit.toString(), ...created };
  }
}

/** A standfirst that shows nothing ("", spaces, invisible characters: see isBlank) means none (API.md). */
function standfirstOrNull(standfirst: string | undefined): string | null {
  return standfirst === undefined || isBlank(standfirst) ? null : standfirst;
}

/** The validated blocks as the domain's block inputs (the schema has already made them exact). */
function blocks(body: BodyBlockRequest[]): BlockInput[] {
  return body as BlockInput[];
}
