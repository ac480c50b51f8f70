import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/roles.decorator';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { PROJECTIONS_HEALTH, ProjectionHealth, ProjectionsHealth } from './projections-health';

/** GET /health (API.md "Reads"): 200 without auth. */
export interface Health {
  /**
   * "degraded" while a read model has failed: its reads go stale, so the newsroom must know. Still
   * 200: every instance following the same log would fail alike, and writes still work.
   */
  status: 'ok' | 'degraded';
  eventStore: string;
  projections: ProjectionHealth[];
}

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() @Inject(PROJECTIONS_HEALTH) private readonly projections?: ProjectionsHealth,
  ) {}

  @Public()
  @Get('health')
  @ApiOkResponse({ description: '"ok", or "degraded" naming a failed read model with the position and error where it stopped' })
  health(): Health {
    const projections = this.projections?.health() ?? [];
    const failed = projections.some((p) => p.status === 'failed');
    return { status: failed ? 'degraded' : 'ok', eventStore: this.store.kind, projections };
  }
}
