import { MultiBar, Presets, SingleBar } from 'cli-progress';
import { ProjectionFailure } from './generation-writer';
import { ProjectionStatus } from './projection-status';

/** How the rebuild CLI shows progress: bars on a terminal, plain lines in logs and CI. */
export interface RebuildDisplay {
  readonly refreshMs: number;
  progress(statuses: readonly ProjectionStatus[]): void;
  swapped(name: string, generation: number): void;
  failed(name: string, generation: number, failure: ProjectionFailure): void;
  stop(): void;
}

export class BarDisplay implements RebuildDisplay {
  readonly refreshMs = 200;
  private readonly bars = new MultiBar(
    {
      format: ' {name} |{bar}| {value}/{total} events | {rate} events/s | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stdout,
    },
    Presets.shades_classic,
  );
  private readonly byName: Map<string, SingleBar>;

  constructor(names: readonly string[]) {
    const width = Math.max(...names.map((n) => n.length));
    this.byName = new Map(names.map((name) => [name, this.bars.create(1, 0, { name: name.padEnd(width), rate: '-' })]));
  }

  progress(statuses: readonly ProjectionStatus[]): void {
    for (const { name, rebuild } of statuses) {
      const bar = this.byName.get(name);
      if (!bar || !rebuild) continue;
      bar.setTotal(Math.max(rebuild.total, 1));
      bar.update(rebuild.done, { rate: rebuild.eventsPerSecond ?? '-' });
    }
  }

  swapped(name: string, generation: number): void {
    const bar = this.byName.get(name);
    bar?.update(bar.getTotal(), { rate: 'done' });
    this.bars.log(`${name}: generation ${generation} is live\n`);
  }

  failed(name: string, generation: number, failure: ProjectionFailure): void {
    this.bars.log(`${name}: generation ${generation} FAILED at position ${failure.position}: ${failure.message}\n`);
  }

  stop(): void {
    this.bars.stop();
  }
}

export class LineDisplay implements RebuildDisplay {
  readonly refreshMs = 2000;

  progress(statuses: readonly ProjectionStatus[]): void {
    for (const { name, rebuild } of statuses) {
      if (!rebuild) continue;
      const percent = rebuild.total > 0 ? Math.floor((100 * rebuild.done) / rebuild.total) : 100;
      const rate = rebuild.eventsPerSecond === null ? '' : `, ${rebuild.eventsPerSecond} events/s`;
      const eta = rebuild.etaSeconds === null ? '' : `, ETA ${rebuild.etaSeconds} s`;
      process.stdout.write(`${name}: ${rebuild.done}/${rebuild.total} events (${percent}%)${rate}${eta}\n`);
    }
  }

  swapped(name: string, generation: number): void {
    process.stdout.write(`${name}: generation ${generation} is live\n`);
  }

  failed(name: string, generation: number, failure: ProjectionFailure): void {
    process.stdout.write(`${name}: generation ${generation} FAILED at position ${failure.position}: ${failure.message}\n`);
  }

  stop(): void {}
}
