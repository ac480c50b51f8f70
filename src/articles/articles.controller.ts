import { Body, Controller, Delete, HttpCode, Param, ParseUUIDPipe, Post, Put, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { AuthenticatedUser, CurrentUser, Roles } from '../auth/roles.decorator';
import { CommandOutcome, idempotentArticleId } from './commands/article-command.runner';
import * as C from './commands/article.commands';
import {
  DraftArticleDto,
  IssueCorrectionDto,
  QuoteDto,
  ReasonOnlyDto,
  RetractDto,
  ReviseBodyDto,
  ReviseHeadlineDto,
  ReviseStandfirstDto,
  UnpublishDto,
} from './commands/command.dtos';
import { commandEnvelope } from './commands/command-request';
import { toBlockInputs } from './commands/article.dto';

const ArticleId = () => Param('id', new ParseUUIDPipe({ version: undefined }));

/** The write side of API.md: every command goes through the CommandBus. */
@ApiTags('commands')
@ApiBearerAuth()
@ApiHeader({ name: 'If-Match', required: false, description: '"<revision>": required on an existing article' })
@ApiHeader({ name: 'Idempotency-Key', required: false })
@ApiHeader({ name: 'X-Correlation-Id', required: false })
@Controller('api/articles')
export class ArticlesController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('reporter', 'editor')
  async draft(@Body() dto: DraftArticleDto, @CurrentUser() user: AuthenticatedUser, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const envelope = commandEnvelope(req, user, dto.reason);
    const articleId = envelope.idempotency ? idempotentArticleId(user.id, envelope.idempotency.key) : randomUUID();
    const data = { articleId, headline: dto.headline, standfirst: dto.standfirst || null, body: toBlockInputs(dto.body), byline: dto.byline ?? [] };
    const outcome = await this.run(new C.DraftArticleCommand(articleId, { type: 'DraftArticle', data }, envelope), res);
    res.status(201).location(`/api/articles/${articleId}`);
    return outcome;
  }

  @Put(':id/headline')
  @Roles('reporter', 'editor')
  headline(@ArticleId() id: string, @Body() dto: ReviseHeadlineDto, @CurrentUser() user: AuthenticatedUser, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.run(new C.ReviseHeadlineCommand(id, { type: 'ReviseHeadline', data: { headline: dto.headline } }, commandEnvelope(req, user, dto.reason)), res);
  }

  @Put(':id/standfirst')
  @Roles('reporter', 'editor')
  standfirst(@ArticleId() id: string, @Body() dto: ReviseStandfirstDto, @CurrentUser() user: AuthenticatedUser, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const data = { standfirst: dto.standfirst || null };
    return this.run(new C.ReviseStandfirstCommand(id, { type: 'ReviseStandfirst', data }, commandEnvelope(req, user, dto.reason)), res);
  }

  @Put(':id/body')
  @Roles('reporter', 'editor')
  body(@ArticleId() id: string, @Body() dto: ReviseBodyDto, @CurrentUser() user: AuthenticatedUser, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.run(new C.ReviseBodyCommand(id, { type: 'ReviseBody', data: { body: toBlockInputs(dto.body) } }, commandEnvelope(req, user, dto.reason)), res);
  }

  @Post(':id/quotes')
  @Roles('reporter', 'editor')
  async attributeQuote(@ArticleId() id: string, @Body() dto: QuoteDto, @CurrentUser() user: AuthenticatedUser, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const data = { speaker: { ...dto.speaker }, text: dto.text, source: dto.source ? { ...dto.source } : null };
    const outcome = await this.run(new C.AttributeQuoteCommand(id, { type: 'AttributeQuote', data }, commandEnvelope(req, user, dto.reason)), res);
    res.status(201);
    return outcome;
  }

  @Put(':id/quotes/:quoteId')
  @Roles('reporter', 'editor')
  amendQuote(@ArticleId() id: string, @Param('quoteId', ParseUUIDPipe) quoteId: string, @Body() dto: QuoteDto, @CurrentUser() user: AuthenticatedUser, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    // PUT replaces the quote: a source left out is removed.
    const data = { quoteId, speaker: { ...dto.speaker }, text: dto.text, source: dto.source ? { ...dto.source } : null };
    return this.run(new C.AmendQuoteCommand(id, { type: 'AmendQuote', data }, commandEnvelope(req, user, dto.reason)), res);
  }

  @Delete(':id/quotes/:quoteId')
  @Roles('reporter', 'editor')
  withdrawQuote(@ArticleId() id: string, @Param('quoteId', ParseUUIDPipe) quoteId: string, @Body() dto: ReasonOnlyDto, @CurrentUser() user: AuthenticatedUser, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.run(new C.WithdrawQuoteCommand(id, { type: 'WithdrawQuote', data: { quoteId } }, commandEnvelope(req, user, dto.reason)), res);
  }

  @Post(':id/publish')
  @HttpCode(200)
  @Roles('editor')
  publish(@ArticleId() id: string, @Body() dto: ReasonOnlyDto, @CurrentUser() user: AuthenticatedUser, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.run(new C.PublishArticleCommand(id, { type: 'PublishArticle', data: {} }, commandEnvelope(req, user, dto.reason)), res);
  }

  @Post(':id/unpublish')
  @HttpCode(200)
  @Roles('editor')
  unpublish(@ArticleId() id: string, @Body() dto: UnpublishDto, @CurrentUser() user: AuthenticatedUser, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.run(new C.UnpublishArticleCommand(id, { type: 'UnpublishArticle', data: {} }, commandEnvelope(req, user, dto.reason)), res);
  }

  @Post(':id/corrections')
  @Roles('standards')
  async correct(@ArticleId() id: string, @Body() dto: IssueCorrectionDto, @CurrentUser() user: AuthenticatedUser, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { kind, note, headline, standfirst, body, quotes } = dto;
    const data = { kind, note, headline, standfirst: standfirst === undefined ? undefined : standfirst || null, body: body && toBlockInputs(body), quotes: quotes?.map((q) => ({ ...q })) };
    const outcome = await this.run(new C.IssueCorrectionCommand(id, { type: 'IssueCorrection', data }, commandEnvelope(req, user, note)), res);
    res.status(201);
    return outcome;
  }

  @Post(':id/retract')
  @HttpCode(200)
  @Roles('standards')
  retract(@ArticleId() id: string, @Body() dto: RetractDto, @CurrentUser() user: AuthenticatedUser, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.run(new C.RetractArticleCommand(id, { type: 'RetractArticle', data: { note: dto.note } }, commandEnvelope(req, user, dto.note)), res);
  }

  /** Runs the command and answers `{ articleId, revision, position }` (+ quoteId/correctionId) with its ETag. */
  private async run(message: C.AnyArticleMessage, res: Response) {
    const outcome = await this.commands.execute<C.AnyArticleMessage, CommandOutcome>(message);
    res.setHeader('ETag', `"${outcome.revision}"`);
    const created: Record<string, string> = {};
    for (const event of outcome.events) {
      if (event.type === 'QuoteAttributed') created.quoteId = event.data.quoteId;
      if (event.type === 'CorrectionIssued') created.correctionId = event.data.correctionId;
    }
    return { articleId: outcome.articleId, revision: Number(outcome.revision), position: outcome.position.commit.toString(), ...created };
  }
}
