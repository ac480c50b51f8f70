import { ConsoleLogger } from '@nestjs/common';
import pino, { DestinationStream, LevelWithSilent, Logger, LoggerOptions } from 'pino';
import pinoPretty from 'pino-pretty';

/** Where log lines go: a stream (tests capture one), or 'stdout' (pretty on a TTY, JSON lines otherwise). */
export type LogOutput = DestinationStream | 'stdout';

/**
 * Paths pino removes from every line, whatever logged it: a secret must never reach a log even
 * when some code logs a whole request, user or body by mistake. The serializers below are the
 * first line (request lines are made of chosen fields: request-observer.ts); this is the second.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  '*.authorization',
  'authorization',
  'token',
  '*.token',
  'tokenSha256',
  '*.tokenSha256',
  'passwordHash',
  '*.passwordHash',
  'body',
  '*.body',
];

/** The fields of the one line logged per request (see README "Observability"). */
export interface RequestLogFields {
  method: string;
  /** The matched route pattern (routeOf), not the URL. */
  route: string;
  status: number;
  /** From the request's arrival to the response's last byte handed to the OS, in milliseconds. */
  durationMs: number;
  /** The authenticated user's id; null for a public route or a refused token. */
  userId: string | null;
}

/**
 * 5xx statuses that answer what a client asked for and this server does not do (RFC 9110 §15.6.2
 * 501, a transfer coding; §15.6.6 505, an HTTP version): the client's doing, not a failure.
 */
const UNSUPPORTED_BY_DESIGN = new Set([501, 505]);

/**
 * The log level of a request's line: 5xx (or a response that failed) are the server's failures,
 * but for UNSUPPORTED_BY_DESIGN; everything else is info.
 */
export function requestLevel(status: number, failed: boolean): 'error' | 'info' {
  return failed || (status >= 500 && !UNSUPPORTED_BY_DESIGN.has(status)) ? 'error' : 'info';
}

/** The loggers of one app: `app` for Nest's own lines and the code's, `requests` for the one line per request. */
export interface AppLoggers {
  /** Every line but the request lines; redacts REDACTED_PATHS, whatever the code hands it. */
  app: Logger;
  /**
   * The request lines (request-observer.ts), whose fields are chosen (RequestLogFields and the
   * correlation and trace ids, never a header, URL or body): no redaction pass over each.
   */
  requests: Logger;
}

/**
 * The app's pino loggers: JSON lines at `level` (pretty only when stdout is a TTY) to `output`,
 * both writing to one destination. On stdout the destination writes asynchronously, lines that
 * arrive while a write is under way going out together in the next one (one system call for
 * many requests under load, at once when idle); pino flushes what is left, synchronously, when
 * the process exits (process.exit included, as GracefulShutdown ends).
 */
export function appLoggers(level: LevelWithSilent, output: LogOutput): AppLoggers {
  const pretty = output === 'stdout' && process.stdout.isTTY === true;
  const destination: DestinationStream = output === 'stdout' ? (pretty ? prettyStream() : pino.destination({ dest: 1, sync: false })) : output;
  const options: LoggerOptions = {
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    // Level names ("info") read better than numbers in JSON; pino-pretty formats numbers itself.
    ...(pretty ? {} : { formatters: { level: (label: string) => ({ level: label }) } }),
  };
  return {
    app: pino({ ...options, redact: { paths: REDACTED_PATHS, remove: true }, serializers: { err: pino.stdSerializers.err } }, destination),
    requests: pino(options, destination),
  };
}

/** pino-pretty as a stream in this thread (no worker), for a person at a terminal. */
function prettyStream(): DestinationStream {
  return pinoPretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
}

/**
 * Nest's console logger for the lines logged before the structured logger takes over: those of a
 * start-up that fails (a locked or damaged store, a bad setting), which Nest holds until then
 * and otherwise prints with its default logger, in ANSI colours even into a file. Like the app's
 * own logs (appLoggers): JSON lines (Nest's: level, timestamp in ms, message, context) unless all
 * of `streams` are terminals; colours only then, and not with NO_COLOR set (https://no-color.org).
 */
export function startupLogger(streams: ReadonlyArray<{ isTTY?: boolean }> = [process.stdout, process.stderr]): ConsoleLogger {
  // One choice for both: its lines go to stdout, its errors to stderr, and either may be a file.
  const terminal = streams.every((stream) => stream.isTTY === true);
  return new ConsoleLogger({ json: !terminal, colors: terminal && !process.env.NO_COLOR });
}
