import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/roles.decorator';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { HEALTHY, STORE_HEALTH, StoreHealth } from '../event-store/store-health';
import { healthReport, HealthReport } from './health-report';
import { PROJECTIONS_HEALTH, ProjectionsHealth } from './projections-health';

/** GET /health (API.md "Reads"): 200 without auth. */
@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() @Inject(PROJECTIONS_HEALTH) private readonly projections?: ProjectionsHealth,
    @Optional() @Inject(STORE_HEALTH) private readonly storeHealth: StoreHealth = HEALTHY,
  ) {}

  /**
   * Always 200 while the process answers; `status` says "degraded" and why while a fault lasts
   * (the store out of space, read-only or replaced; a read model failed or stale): every
   * instance of one log would fail alike, and writes may still work.
   */
  @Public()
  @Get('health')
  @ApiOkResponse({ description: '"ok", or "degraded" with `reasons` naming the store fault or the failed or stale read model' })
  health(): HealthReport {
    return healthReport(this.store.kind, this.storeHealth.condition(), this.projections?.health() ?? []);
  }
}
