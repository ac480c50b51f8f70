import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/roles.decorator';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { HEALTHY, STORE_HEALTH, StoreHealth } from '../event-store/store-health';
import { NotReadyError } from '../common/app-error';
import { healthReport, HealthReport, readiness } from './health-report';

/** Retry-After of a not-ready answer from a store that probes: about when its next probe may run. */
const PROBE_RETRY_SECONDS = 1;
import { PROJECTIONS_HEALTH, ProjectionsHealth } from './projections-health';

/**
 * GET /health (API.md "Reads"), and the probes an orchestrator polls: GET /health/live (the
 * process answers) and GET /health/ready (this instance can accept writes). All without auth.
 */
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

  /** Liveness: 200 `{ status: "ok" }` whenever the process answers; nothing else is checked. */
  @Public()
  @Get('health/live')
  @ApiOkResponse({ description: 'The process answers' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Readiness: 200 `{ status: "ok" }` while this instance can accept writes; a 503 problem
   * document (`/problems/not-ready`, with Retry-After) while the store is full, read-only,
   * unavailable or replaced (see readiness(); replaced: no Retry-After, the detail says to restart).
   * The embedded store is asked to probe whether it writes again (StoreHealth.probe), so the
   * answer is 503 exactly as long as the fault lasts. A failed read model does not make it 503.
   */
  @Public()
  @Get('health/ready')
  @ApiOkResponse({ description: 'This instance can accept writes' })
  @ApiServiceUnavailableResponse({ description: 'The event store refuses writes: full, read-only, unavailable or replaced' })
  ready(): { status: 'ok' } {
    // A store that can probe is asked whether it writes again; the others are trusted for a window.
    const probed = this.storeHealth.probe !== undefined;
    const condition = this.storeHealth.probe ? this.storeHealth.probe() : this.storeHealth.condition();
    const state = readiness(condition, Date.now(), probed, PROBE_RETRY_SECONDS);
    if (!state.ready) throw new NotReadyError(`This instance cannot accept writes: ${state.reason}`, state.retryAfterSeconds);
    return { status: 'ok' };
  }
}
