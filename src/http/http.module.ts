import { Inject, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { USER_DIRECTORY, UserDirectory } from '../auth/users';
import { bodyGuards, bodyLimitBytes } from './body-reading';
import { APP_FILTER, APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { QueryStringGuard } from './query-string.guard';
import { HealthController } from './health.controller';
import { ProblemFilter } from './problem.filter';
import { RouteTable } from './route-table';

/**
 * The HTTP edge: problem documents for every error, correlation ids, /health. Request bodies and
 * query strings are checked per route by their schemas (request-schema.ts), not by a global pipe;
 * QueryStringGuard refuses a badly encoded query string, and any on a route without a schema.
 */
@Module({
  imports: [DiscoveryModule],
  controllers: [HealthController],
  providers: [
    RouteTable,
    ProblemFilter,
    { provide: APP_FILTER, useExisting: ProblemFilter },
    { provide: APP_GUARD, useClass: QueryStringGuard },
    // No interceptor: a maximum article, revision, blame or diff is written a piece at a time by
    // the adapter (LargeJsonFastifyAdapter, app.setup.ts).
  ],
  exports: [ProblemFilter],
})
export class HttpModule implements NestModule {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(USER_DIRECTORY) private readonly users: UserDirectory,
  ) {}

  /**
   * The checks made before a body is read (its parsing is Fastify's: registerBodyParsers). The
   * correlation id is set before any middleware (observeRequests), so a request refused for its
   * body still has its id.
   */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(...bodyGuards(bodyLimitBytes(this.config.bodyLimit), this.users)).forRoutes('*path');
  }
}
