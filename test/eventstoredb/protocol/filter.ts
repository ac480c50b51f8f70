import { ReadReq } from '@eventstore/db-client/generated/streams_pb';
import { RecordedEvent } from '../../../src/event-store/event-store.port';

/** A server-side $all filter, as ReadReq.Options.FilterOptions describes it. */
export interface EventFilter {
  matches(event: RecordedEvent): boolean;
  /** Send a checkpoint after this many events have been looked at. */
  readonly checkpointInterval: number;
}

/** EventStoreDB's default search window when the client asks for `count`. */
const DEFAULT_WINDOW = 32;

export function toEventFilter(options: ReadReq.Options): EventFilter | null {
  const filter = options.getFilter();
  if (!options.hasFilter() || !filter) return null;
  const onType = filter.hasEventType();
  const expression = onType ? filter.getEventType() : filter.getStreamIdentifier();
  const prefixes = expression?.getPrefixList() ?? [];
  const regex = expression?.getRegex() ? new RegExp(expression.getRegex()) : null;
  const window = filter.hasMax() ? filter.getMax() : DEFAULT_WINDOW;
  return {
    checkpointInterval: Math.max(1, window * Math.max(1, filter.getCheckpointintervalmultiplier())),
    matches(event) {
      const subject = onType ? event.type : event.streamId;
      if (prefixes.length > 0 && !prefixes.some((prefix) => subject.startsWith(prefix))) return false;
      return regex === null || regex.test(subject);
    },
  };
}
