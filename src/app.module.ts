import { DynamicModule, Module } from '@nestjs/common';
import { ArticlesModule } from './articles/articles.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { EventStoreModule } from './event-store/event-store.module';
import { HttpModule } from './http/http.module';
import { LedgerModule } from './ledger/ledger.module';
import { RateLimitModule } from './http/rate-limit';
import { ObservabilityModule, ObservabilityOptions } from './observability/observability.module';
import { ReadModelsModule } from './read-models/read-models.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, observability?: ObservabilityOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot(config, observability),
        EventStoreModule,
        // Rate limits before authentication: a request with a wrong token counts too (against its address).
        RateLimitModule,
        AuthModule,
        HttpModule,
        ArticlesModule,
        AuditModule,
        ReadModelsModule,
        // Issue 15 §2: checkpoints over the hash-chained article streams.
        LedgerModule,
      ],
    };
  }
}
