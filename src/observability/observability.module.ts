import { DynamicModule, Global, Module } from '@nestjs/common';
import { Logger, PARAMS_PROVIDER_TOKEN, Params, PinoLogger } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { MetricsController } from './metrics.controller';
import { NewsroomMetrics } from './newsroom-metrics';
import { appLoggers, LogOutput } from './request-log';

/** How the app logs: to `output` at the configured level, or not at all ('off', as tests do). */
export interface ObservabilityOptions {
  log?: LogOutput | 'off';
}

/** The pino logger of the request lines (AppLoggers.requests), for observeRequests (app.setup.ts). */
export const REQUEST_LOGGER = Symbol('REQUEST_LOGGER');

/**
 * Structured logs (pino: one JSON line per request, README "Observability"; Nest's own lines
 * through nestjs-pino's Logger) and the Prometheus metrics at GET /metrics. Global, so the
 * command side can count into NewsroomMetrics. The request lines, the metrics' request timing and
 * the correlation id are one Fastify hook (observeRequests), not middleware: nestjs-pino's
 * LoggerModule is not imported, since it would add pino-http and an async context per request.
 */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(config: AppConfig, { log = 'stdout' }: ObservabilityOptions = {}): DynamicModule {
    const loggers = log === 'off' ? appLoggers('silent', { write: () => undefined }) : appLoggers(config.logLevel, log);
    const params: Params = { pinoHttp: { logger: loggers.app } };
    return {
      module: ObservabilityModule,
      controllers: [MetricsController],
      providers: [
        NewsroomMetrics,
        { provide: PARAMS_PROVIDER_TOKEN, useValue: params },
        PinoLogger,
        Logger,
        { provide: REQUEST_LOGGER, useValue: loggers.requests },
      ],
      exports: [NewsroomMetrics, Logger, PinoLogger, PARAMS_PROVIDER_TOKEN, REQUEST_LOGGER],
    };
  }
}
