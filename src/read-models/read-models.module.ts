import { Global, Inject, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { PROJECTIONS_HEALTH } from '../http/projections-health';
import { ProjectionEngine } from './engine/projection-engine';
import { ProjectionHost } from './engine/projection-host';
import { readModelsFile } from './engine/read-model-db';
import { PROJECTIONS } from './projections.registry';
import { ProjectionsController } from './api/projections.controller';
import { AuditModule } from '../audit/audit.module';
import { GetArticleHandler } from './api/queries/get-article.query';
import { GetArticleAsOfHandler } from './api/queries/get-article-as-of.query';
import { ListArticlesHandler } from './api/queries/list-articles.query';
import { ListCorrectionsHandler } from './api/queries/list-corrections.query';
import { ListProjectionsHandler } from './api/queries/list-projections.query';
import { RebuildProjectionHandler } from './api/queries/rebuild-projection.command';
import { SearchQuotesHandler } from './api/queries/search-quotes.query';
import { ReadModelProgress } from './api/read-model-progress';
import { ReadModelReader } from './engine/read-model-reader';
import { ReadModelsController } from './api/read-models.controller';

/**
 * The read side: the projection runtime, the read endpoints and the progress service.
 * Global so that /health (and a command side that wants to wait for its writes) can inject
 * ReadModelProgress without importing this module.
 */
@Global()
@Module({
  // AuditModule for its bulkhead (AUDIT_READS): an as-of article read folds a stream, as audit reads do.
  imports: [CqrsModule, AuditModule],
  controllers: [ReadModelsController, ProjectionsController],
  providers: [
    {
      // On a worker thread: applying events and writing read models stay off the request loop.
      provide: ProjectionEngine,
      inject: [EVENT_STORE, APP_CONFIG],
      useFactory: (store: EventStore, config: AppConfig) =>
        new ProjectionHost({
          store,
          dataDir: config.dataDir,
          eventStoreUrl: config.eventStoreUrl,
          file: readModelsFile(config.dataDir),
          projections: PROJECTIONS,
          logger: new Logger('Projections'),
        }),
    },
    { provide: ReadModelReader, inject: [ProjectionEngine], useFactory: (runtime: ProjectionEngine) => new ReadModelReader(runtime.db) },
    ReadModelProgress,
    { provide: PROJECTIONS_HEALTH, useExisting: ReadModelProgress },
    GetArticleHandler,
    GetArticleAsOfHandler,
    ListArticlesHandler,
    SearchQuotesHandler,
    ListCorrectionsHandler,
    ListProjectionsHandler,
    RebuildProjectionHandler,
  ],
  exports: [ReadModelProgress, PROJECTIONS_HEALTH],
})
export class ReadModelsModule implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  constructor(@Inject(ProjectionEngine) private readonly runtime: ProjectionEngine) {}

  /**
   * Projectors catch up in the background: the server answers (status catching-up) meanwhile.
   * Their check against the log comes first, so no read is answered from a stale generation
   * as if it were current.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.runtime.start();
  }

  /** Stop following the log before the event store closes (on application shutdown). */
  async onModuleDestroy(): Promise<void> {
    await this.runtime.stop();
  }

  /** After the HTTP server has closed: no read can reach the file any more. */
  async onApplicationShutdown(): Promise<void> {
    await this.runtime.close();
  }
}
