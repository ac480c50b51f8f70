import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/roles.decorator';
import { NewsroomMetrics } from './newsroom-metrics';

/**
 * GET /metrics: the Prometheus text exposition format (version 0.0.4), public like /health, for a
 * scraper on the operator's network. Not part of the API contract, so not in the OpenAPI document.
 */
@ApiExcludeController()
@Controller()
export class MetricsController {
  constructor(private readonly metrics: NewsroomMetrics) {}

  /** Every metric of this app's registry (README "Observability"). */
  @Public()
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.exposition();
  }
}
