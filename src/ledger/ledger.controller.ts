import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { ParseRevisionPipe } from '../audit/audit.schemas';
import { ApiProblems, ApiRead } from '../http/openapi';
import { NO_BODY, ValidBody, ValidQuery } from '../http/request-schema';
import { UuidParam } from '../http/uuid-param';
import type { Checkpoint } from './checkpoint';
import { Ledger, type InclusionProof } from './ledger';
import { CHECKPOINT_PAGE, CHECKPOINTS_QUERY, type CheckpointsParams } from './ledger.schemas';
import type { PublicKeyDocument } from './signing-key';

/** The tamper-evident log of docs/api.md "Ledger": signed checkpoints, their key, and proofs. Any authenticated user may read. */
@ApiTags('ledger')
@Controller('api')
export class LedgerController {
  constructor(private readonly ledger: Ledger) {}

  @Get('ledger/checkpoints')
  @ApiRead()
  checkpoints(@ValidQuery(CHECKPOINTS_QUERY) query: CheckpointsParams): Promise<{ items: Checkpoint[]; nextCursor: string | null }> {
    return this.ledger.checkpoints(query.limit ?? CHECKPOINT_PAGE.default, query.cursor === undefined ? undefined : Number(query.cursor));
  }

  /** Signs a checkpoint now: the standards desk (who answers "has this been edited?") or an admin. */
  @Post('ledger/checkpoints')
  @HttpCode(201)
  @Roles('standards', 'admin')
  @ApiBearerAuth()
  @ApiResponse({ status: 201, description: 'The checkpoint, signed and recorded in the ledger stream' })
  @ApiProblems(401, 403, 503)
  checkpointNow(@ValidBody(NO_BODY) _body: Record<string, never>): Promise<Checkpoint> {
    return this.ledger.checkpointNow();
  }

  @Get('ledger/key')
  @ApiRead()
  key(): PublicKeyDocument {
    return this.ledger.key.document();
  }

  @Get('articles/:id/revisions/:revision/proof')
  @ApiRead(404)
  proof(@UuidParam('id') id: string, @Param('revision', ParseRevisionPipe) revision: number): Promise<InclusionProof> {
    return this.ledger.proof(id, revision);
  }
}
