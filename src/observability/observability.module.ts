import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsController } from './metrics.controller';
import { NewsroomMetrics } from './newsroom-metrics';
import { LogOutput, requestLogParams } from './request-log';

/** How the app logs: to `output` at the configured level, or not at all ('off', as tests do). */
export interface ObservabilityOptions {
  log?: LogOutput | 'off';
}

/**
 * Structured logs (nestjs-pino: one JSON line per request, README "Observability") and the
 * Prometheus metrics at GET /metrics. Global, so the command side can count into NewsroomMetrics.
 */
@Global()
@Module({})
export class ObservabilityModule implements NestModule {
  static forRoot(config: AppConfig, { log = 'stdout' }: ObservabilityOptions = {}): DynamicModule {
    const params = log === 'off' ? requestLogParams('silent', { write: () => undefined }) : requestLogParams(config.logLevel, log);
    return {
      module: ObservabilityModule,
      imports: [LoggerModule.forRoot(params)],
      controllers: [MetricsController],
      providers: [NewsroomMetrics, HttpMetricsMiddleware],
      exports: [NewsroomMetrics],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*path');
  }
}
