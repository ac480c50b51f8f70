import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ProjectionEngine } from '../read-models/engine/projection-engine';
import { ProjectionState } from '../read-models/engine/projection-status';
import { ProjectionSample, sampleProjections } from './projection-gauges';

/** How a command ended: events appended, nothing to change, refused by a rule (4xx), or failed (5xx). */
export type CommandOutcomeLabel = 'appended' | 'unchanged' | 'refused' | 'failed';

const PROJECTION_STATES: readonly ProjectionState[] = ['live', 'catching-up', 'rebuilding', 'stale', 'failed'];

/**
 * The application's Prometheus metrics, in a registry of its own (not prom-client's global one),
 * so that several apps in one process each count their own. README "Observability" lists them.
 * Names and units follow https://prometheus.io/docs/practices/naming/ (seconds, `_total` counters).
 */
@Injectable()
export class NewsroomMetrics implements OnModuleInit, OnModuleDestroy {
  readonly registry = new Registry();

  private readonly commands = new Counter({
    name: 'newsroom_commands_total',
    help: 'Article commands handled, by command type and outcome (appended, unchanged, refused, failed)',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly appendSeconds = new Histogram({
    name: 'newsroom_append_seconds',
    help: "Time from an article command's append call to the store's acknowledgement (durable), in seconds",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  private readonly httpSeconds = new Histogram({
    name: 'newsroom_http_request_duration_seconds',
    help: 'HTTP requests from arrival to the last byte of the response, in seconds, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly foldHits = new Counter({
    name: 'newsroom_fold_cache_hits_total',
    help: "Command-side fold cache lookups that found the article's folded state (only newer events read)",
    registers: [this.registry],
  });

  private readonly foldMisses = new Counter({
    name: 'newsroom_fold_cache_misses_total',
    help: "Command-side fold cache lookups that did not (the article's whole stream read)",
    registers: [this.registry],
  });

  /**
   * One label set per method, route pattern and status seen, made once and reused by every request
   * (routes are patterns, so the sets are as few as the histogram's series).
   */
  private readonly httpLabels = new Map<string, { method: string; route: string; status: string }>();

  private runtime: ProjectionEngine | null = null;
  /** The projections as the scrape under way read them: once per scrape, however many gauges show them. */
  private scraping: Promise<ProjectionSample[]> | null = null;

  constructor(private readonly moduleRef: ModuleRef) {
    collectDefaultMetrics({ register: this.registry });
    this.projectionGauge(
      'newsroom_projection_position',
      "The last log position (commit) the read model's serving generation has processed; -1 for none",
      (s) => [[{ projection: s.name }, s.position]],
    );
    this.projectionGauge('newsroom_projection_lag_events', 'Events of the log the read model has not processed yet', (s) => [
      [{ projection: s.name }, s.lagEvents],
    ]);
    this.projectionGauge('newsroom_projection_lag_seconds', 'Age of the oldest event the read model has not processed, in seconds (0 when caught up)', (s) => [
      [{ projection: s.name }, s.lagSeconds],
    ]);
    this.projectionGauge(
      'newsroom_projection_status',
      "The read model's status: 1 for the one it is in (live, catching-up, rebuilding, stale, failed), 0 for the others",
      (s) => PROJECTION_STATES.map((status) => [{ projection: s.name, status }, s.status === status ? 1 : 0]),
    );
    this.projectionGauge('newsroom_rebuild_processed_events', 'Events the generation being rebuilt has processed (only while a rebuild runs)', (s) =>
      s.rebuild ? [[{ projection: s.name }, s.rebuild.done]] : [],
    );
    this.projectionGauge(
      'newsroom_rebuild_target_events',
      'Events in the log the rebuild has to reach: processed plus remaining (only while a rebuild runs)',
      (s) => (s.rebuild ? [[{ projection: s.name }, s.rebuild.total]] : []),
    );
  }

  /** The projection runtime lives in the read-models module, which does not export it. */
  onModuleInit(): void {
    this.runtime = this.moduleRef.get(ProjectionEngine, { strict: false });
  }

  onModuleDestroy(): void {
    this.runtime = null;
    this.registry.clear();
  }

  /** Counts one article command by its type (DraftArticle, ReviseHeadline, ...) and how it ended. */
  commandFinished(type: string, outcome: CommandOutcomeLabel): void {
    this.commands.inc({ type, outcome });
  }

  /** Records one append's latency, in seconds. */
  appendTook(seconds: number): void {
    this.appendSeconds.observe(seconds);
  }

  /** Records one lookup in the command side's fold cache. */
  foldCacheLookup(hit: boolean): void {
    (hit ? this.foldHits : this.foldMisses).inc();
  }

  /** Records one HTTP request; `route` is the matched pattern (routeOf), never the raw URL. */
  httpRequestTook(method: string, route: string, status: number, seconds: number): void {
    const key = `${status} ${method} ${route}`;
    let labels = this.httpLabels.get(key);
    if (labels === undefined) {
      labels = { method, route, status: String(status) };
      this.httpLabels.set(key, labels);
    }
    this.httpSeconds.observe(labels, seconds);
  }

  /** The registry in the Prometheus text exposition format (0.0.4). */
  async exposition(): Promise<string> {
    const samples = this.readProjections();
    this.scraping = samples;
    try {
      return await this.registry.metrics();
    } finally {
      if (this.scraping === samples) this.scraping = null;
    }
  }

  /** A gauge with one labelled value per read model (or several, or none), set at scrape time from the runtime. */
  private projectionGauge(name: string, help: string, values: (sample: ProjectionSample) => Array<[Record<string, string>, number]>): void {
    const samples = () => this.scraping ?? this.readProjections();
    new Gauge({
      name,
      help,
      labelNames: ['projection', 'status'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const sample of await samples()) {
          for (const [labels, value] of values(sample)) this.set(labels, value);
        }
      },
    });
  }

  private readProjections(): Promise<ProjectionSample[]> {
    if (!this.runtime) return Promise.resolve([]);
    // A store that cannot be read leaves the projection gauges out of this scrape, not the rest.
    return sampleProjections(this.runtime).catch(() => []);
  }
}
