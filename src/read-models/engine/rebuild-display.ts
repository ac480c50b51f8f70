import { MultiBar, Presets, SingleBar } from 'cli-progress';
import { ProjectionFailure } from './generation-writer';
import { ProjectionStatus } from './projection-status';

/**
 * How the rebuild CLI shows progress: bars on a terminal, plain lines in logs and CI. Every count
 * is in events of the log (not appends, not positions): `done` of `total`, where `total` starts at
 * the number of events up to the log's head when the rebuild began and grows with later appends.
 */
export interface RebuildDisplay {
  readonly refreshMs: number;
  /** Before the first event: how many events the log holds up to its head. */
  started(names: readonly string[], logEvents: number, head: bigint): void;
  progress(statuses: readonly ProjectionStatus[]): void;
  /** A new generation went live after processing `events` events of the log. */
  swapped(name: string, generation: number, events: number): void;
  failed(name: string, generation: number, failure: ProjectionFailure): void;
  /** The generation left catch-up mode, `missShare` (0 to 1) of its reads finding documents its pass had evicted (see CatchUpOptions.maxMissShare). */
  leftCatchUp(name: string, generation: number, missShare: number): void;
  stop(): void;
}

/** Progress bars (cli-progress) on `stream`, a terminal. */
export class BarDisplay implements RebuildDisplay {
  readonly refreshMs = 200;
  private readonly bars: MultiBar;
  private readonly byName = new Map<string, SingleBar>();

  constructor(private readonly stream: NodeJS.WritableStream = process.stdout) {
    this.bars = new MultiBar(
      {
        format: ' {name} |{bar}| {value}/{total} events | {rate} | ETA {eta_formatted}',
        hideCursor: true,
        clearOnComplete: false,
        stream: this.stream,
      },
      Presets.shades_classic,
    );
  }

  started(names: readonly string[], logEvents: number): void {
    const width = Math.max(...names.map((n) => n.length));
    for (const name of names) this.byName.set(name, this.bars.create(logEvents, 0, { name: name.padEnd(width), rate: '-' }));
  }

  progress(statuses: readonly ProjectionStatus[]): void {
    for (const { name, rebuild } of statuses) {
      const bar = this.byName.get(name);
      if (!bar || !rebuild) continue;
      bar.setTotal(rebuild.total);
      bar.update(rebuild.done, { rate: rebuild.eventsPerSecond === null ? '-' : `${rebuild.eventsPerSecond} events/s` });
    }
  }

  swapped(name: string, generation: number, events: number): void {
    const bar = this.byName.get(name);
    bar?.setTotal(events);
    bar?.update(events, { rate: 'done' });
    this.bars.log(`${name}: generation ${generation} is live (${events}/${events} events)\n`);
  }

  failed(name: string, generation: number, failure: ProjectionFailure): void {
    this.bars.log(`${name}: generation ${generation} FAILED at position ${failure.position}: ${failure.message}\n`);
  }

  leftCatchUp(name: string, generation: number, missShare: number): void {
    this.bars.log(`${leftCatchUpLine(name, generation, missShare)}\n`);
  }

  stop(): void {
    // MultiBar.log only buffers until the next redraw, and stop() does not redraw: without this,
    // a rebuild faster than one refresh would end without its "is live" lines.
    this.bars.update();
    this.bars.stop();
  }
}

/** One line per projection every two seconds, and one per swap or failure, on `stream`. */
export class LineDisplay implements RebuildDisplay {
  readonly refreshMs = 2000;

  constructor(private readonly stream: NodeJS.WritableStream = process.stdout) {}

  started(names: readonly string[], logEvents: number, head: bigint): void {
    this.stream.write(`Rebuilding ${names.join(', ')} from ${logEvents} events (the log's head is at position ${head})\n`);
  }

  progress(statuses: readonly ProjectionStatus[]): void {
    for (const { name, rebuild } of statuses) {
      if (!rebuild) continue;
      const percent = rebuild.total > 0 ? Math.floor((100 * rebuild.done) / rebuild.total) : 100;
      const rate = rebuild.eventsPerSecond === null ? '' : `, ${rebuild.eventsPerSecond} events/s`;
      const eta = rebuild.etaSeconds === null ? '' : `, ETA ${rebuild.etaSeconds} s`;
      this.stream.write(`${name}: ${rebuild.done}/${rebuild.total} events (${percent}%)${rate}${eta}\n`);
    }
  }

  swapped(name: string, generation: number, events: number): void {
    this.stream.write(`${name}: generation ${generation} is live (${events}/${events} events)\n`);
  }

  failed(name: string, generation: number, failure: ProjectionFailure): void {
    this.stream.write(`${name}: generation ${generation} FAILED at position ${failure.position}: ${failure.message}\n`);
  }

  leftCatchUp(name: string, generation: number, missShare: number): void {
    this.stream.write(`${leftCatchUpLine(name, generation, missShare)}\n`);
  }

  stop(): void {}
}

function leftCatchUpLine(name: string, generation: number, missShare: number): string {
  return `${name}: generation ${generation} goes on batch by batch: ${Math.round(missShare * 100)}% of its reads found documents its catch-up pass had evicted`;
}
