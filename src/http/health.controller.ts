import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { Public } from '../auth/roles.decorator';
import { PROJECTIONS_HEALTH, ProjectionsHealth } from './projections-health';

@Controller()
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() @Inject(PROJECTIONS_HEALTH) private readonly projections?: ProjectionsHealth,
  ) {}

  @Public()
  @Get('health')
  health() {
    return { status: 'ok', eventStore: this.store.kind, projections: this.projections?.health() ?? [] };
  }
}
