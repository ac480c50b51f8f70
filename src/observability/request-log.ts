import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import pino, { DestinationStream, LevelWithSilent } from 'pino';
import pinoPretty from 'pino-pretty';
import type { AuthenticatedUser } from '../auth/roles';
import type { LogLevel } from '../config/app-config';
import { correlationIdOf } from '../http/correlation-id.middleware';
import { parseTraceparent } from '../http/trace-context';
import { routeOf } from './route-of';

/** Where log lines go: a stream (tests capture one), or 'stdout' (pretty on a TTY, JSON lines otherwise). */
export type LogOutput = DestinationStream | 'stdout';

type Request = IncomingMessage & { user?: AuthenticatedUser; correlationId?: string };

/**
 * Paths pino removes from every line, whatever logged it: a secret must never reach a log even
 * when some code logs a whole request, user or body by mistake. The serializers below are the
 * first line (they never copy headers or bodies); this is the second.
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

function requestFields(request: Request, response: ServerResponse, durationMs: number): RequestLogFields {
  return { method: request.method ?? '', route: routeOf(request), status: response.statusCode, durationMs, userId: request.user?.id ?? null };
}

/** 5xx are the server's failures; everything else, refusals included, is the normal life of an API. */
function levelOf(_: Request, response: ServerResponse, error?: Error): LevelWithSilent {
  return error || response.statusCode >= 500 ? 'error' : 'info';
}

/**
 * nestjs-pino's parameters: JSON lines at `level` (pretty only when stdout is a TTY), one line per
 * request with RequestLogFields and, on every line logged while the request runs, its
 * correlationId and (from a valid W3C traceparent header) traceId.
 */
export function requestLogParams(level: LogLevel, output: LogOutput): Params {
  const pretty = output === 'stdout' && process.stdout.isTTY === true;
  // Written synchronously: Nest's shutdown hooks re-raise the signal after closing, and a line still
  // buffered then (the shutdown's own, say) would be lost.
  const destination: DestinationStream = output === 'stdout' ? (pretty ? prettyStream() : pino.destination({ dest: 1, sync: true })) : output;
  return {
    pinoHttp: [
      {
        level,
        timestamp: pino.stdTimeFunctions.isoTime,
        // Level names ("info") read better than numbers in JSON; pino-pretty formats numbers itself.
        ...(pretty ? {} : { formatters: { level: (label: string) => ({ level: label }) } }),
        redact: { paths: REDACTED_PATHS, remove: true },
        // Requests carry no serialised req/res objects at all: the fields are chosen, not filtered.
        quietReqLogger: true,
        quietResLogger: true,
        customAttributeKeys: { reqId: 'correlationId', responseTime: 'durationMs' },
        genReqId: (request, response) => correlationIdOf(request, response),
        customProps: (request) => {
          const trace = parseTraceparent(request.headers.traceparent);
          return trace ? { traceId: trace.traceId } : {};
        },
        customLogLevel: levelOf,
        customSuccessMessage: () => 'request completed',
        customErrorMessage: () => 'request failed',
        customSuccessObject: (request, response, value: { durationMs: number }) => requestFields(request as Request, response, value.durationMs),
        customErrorObject: (request, response, _error, value: { durationMs: number }) => requestFields(request as Request, response, value.durationMs),
        serializers: {
          req: (request: Request) => ({ method: request.method, route: routeOf(request) }),
          res: (response: ServerResponse) => ({ status: response.statusCode }),
          err: pino.stdSerializers.err,
        },
      },
      destination,
    ],
  };
}

/** pino-pretty as a stream in this thread (no worker), for a person at a terminal. */
function prettyStream(): DestinationStream {
  return pinoPretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
}
