import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER, DiscoveryModule } from '@nestjs/core';
import { CorrelationIdMiddleware } from './correlation-id.middleware';
import { HealthController } from './health.controller';
import { ProblemFilter } from './problem.filter';
import { RouteTable } from './route-table';

/**
 * The HTTP edge: problem documents for every error, correlation ids, /health. Request bodies and
 * query strings are checked per route by their schemas (request-schema.ts), not by a global pipe.
 */
@Module({
  imports: [DiscoveryModule],
  controllers: [HealthController],
  providers: [RouteTable, ProblemFilter, { provide: APP_FILTER, useExisting: ProblemFilter }],
  exports: [ProblemFilter],
})
export class HttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(CorrelationIdMiddleware).forRoutes('*path');
  }
}
