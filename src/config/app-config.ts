import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';
import { constants as bufferConstants } from 'node:buffer';
import { resolve } from 'node:path';
import bytes from 'bytes';

export const APP_CONFIG = Symbol('APP_CONFIG');

/** pino's level names, most severe first; `silent` logs nothing. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Configuration from the environment (the table in API.md "Configuration", and README's). */
export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  eventStoreUrl: string | null;
  usersFile: string | null;
  production: boolean;
  /**
   * Largest accepted request body (bytes, or a string such as "20mb"); bigger ones get 413. null:
   * the largest valid request at its most verbose JSON encoding (see largestCommandBytes).
   */
  bodyLimit: string | null;
  /** Browser origins allowed by CORS (exact `scheme://host[:port]`); empty: no CORS headers at all. */
  corsOrigins: string[];
  /** Requests one user (or one client address without a token) may make per minute; 0 turns it off. */
  rateLimitPerMinute: number;
  /** How long a SIGTERM/SIGINT shutdown may take (ms) before the process exits 1 anyway. */
  shutdownTimeoutMs: number;
  /** The least severe level the log writes (LOG_LEVEL; default info). */
  logLevel: LogLevel;
  /** LEDGER_SIGNING_KEY_FILE: the Ed25519 private key (PKCS#8 PEM) that signs checkpoints; null: a development key in DATA_DIR. */
  ledgerKeyFile: string | null;
  /** How often a checkpoint is signed when heads changed (ms; LEDGER_CHECKPOINT_INTERVAL_SECONDS, default 60); 0: only on demand. */
  checkpointIntervalMs: number;
}

/** The longest delay Node's setTimeout and setInterval take, in ms (2^31 - 1, about 24.8 days): a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A whole number written in decimal digits (surrounding spaces ignored), as an integer variable
 * must be; any other text becomes NaN, which @IsInt refuses with the variable's message. Without
 * it, implicit conversion reads JavaScript's other number forms too: PORT=0x10 listened on 16
 * and PORT=1e3 on 1000.
 */
const DecimalDigits = () =>
  Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) => (/^\s*\d+\s*$/.test(String(obj[key])) ? Number(obj[key]) : NaN));

/**
 * The environment variables the server reads, validated with class-validator as NestJS's
 * configuration guide does: a mistyped value stops the start with every problem named, instead
 * of surfacing later as a strange failure.
 */
class EnvironmentVariables {
  @IsOptional()
  // Checked bottom up, the first failure alone reported (stopAtFirstError): the type first.
  @Min(0)
  @Max(65535)
  @IsInt({ message: 'PORT must be a port number' })
  @DecimalDigits()
  PORT?: number;

  @IsOptional()
  @IsString()
  @MinLength(1)
  HOST?: string;

  @IsOptional()
  @IsString()
  DATA_DIR?: string;

  @IsOptional()
  @Matches(/^esdb(\+discover)?:\/\/\S+$/, { message: 'EVENTSTORE_URL must be an esdb:// or esdb+discover:// connection string' })
  EVENTSTORE_URL?: string;

  @IsOptional()
  @IsString()
  NEWSROOM_USERS_FILE?: string;

  @IsOptional()
  @IsString()
  NODE_ENV?: string;

  @IsOptional()
  @Matches(/^\d+\s*(b|kb|mb|gb)?$/i, { message: 'BODY_LIMIT must be a size such as 200mb or 1048576' })
  BODY_LIMIT?: string;

  @IsOptional()
  @Matches(/^\s*https?:\/\/[^\s,/]+\s*(,\s*https?:\/\/[^\s,/]+\s*)*$/, {
    message: 'CORS_ORIGINS must be a comma-separated list of origins such as https://cms.example.org',
  })
  CORS_ORIGINS?: string;

  @IsOptional()
  @Min(0)
  @IsInt({ message: 'RATE_LIMIT_PER_MINUTE must be a whole number' })
  @DecimalDigits()
  RATE_LIMIT_PER_MINUTE?: number;

  @IsOptional()
  // Node's timers take at most 2^31 - 1 ms; a longer delay fires at once (TimeoutOverflowWarning).
  @Max(MAX_TIMER_MS)
  @Min(1)
  @IsInt({ message: 'SHUTDOWN_TIMEOUT_MS must be a whole number of milliseconds' })
  @DecimalDigits()
  SHUTDOWN_TIMEOUT_MS?: number;

  @IsOptional()
  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL?: LogLevel;

  @IsOptional()
  @IsString()
  LEDGER_SIGNING_KEY_FILE?: string;

  @IsOptional()
  @Max(Math.floor(MAX_TIMER_MS / 1000))
  @Min(0)
  @IsInt({ message: 'LEDGER_CHECKPOINT_INTERVAL_SECONDS must be a whole number of seconds' })
  @DecimalDigits()
  LEDGER_CHECKPOINT_INTERVAL_SECONDS?: number;
}

/**
 * The largest BODY_LIMIT, in bytes: the longest string V8 can make (node:buffer
 * constants.MAX_STRING_LENGTH, 2^29 - 24 characters on 64-bit). A JSON body is decoded into one
 * string before it is parsed, and N bytes of UTF-8 never decode to more than N characters.
 */
export const MAX_BODY_LIMIT = bufferConstants.MAX_STRING_LENGTH;

/** Empty variables count as unset, as a shell's `VAR= npm start` means. */
function setOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

/**
 * Reads and checks the configuration. Throws an Error listing every invalid variable (e.g.
 * `PORT must be a port number, got "abc"`); relative paths are resolved against the working directory.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const given = setOnly(env);
  const vars = plainToInstance(EnvironmentVariables, given, { enableImplicitConversion: true });
  // PORT arrives as text: implicit conversion makes it a number, "abc" a NaN that @IsInt refuses.
  // One reason per setting (the first that fails): "abc" is not a port number, whatever its range.
  const errors = validateSync(vars, { skipMissingProperties: false, forbidUnknownValues: false, stopAtFirstError: true });
  const problems = errors.flatMap((e) => Object.values(e.constraints ?? {}).map((m) => `${m}, got "${given[e.property]}"`));
  if (vars.BODY_LIMIT !== undefined && !errors.some((e) => e.property === 'BODY_LIMIT')) {
    const limit = bytes.parse(vars.BODY_LIMIT) ?? NaN;
    if (!(limit >= 1 && limit <= MAX_BODY_LIMIT)) {
      problems.push(
        `BODY_LIMIT must be from 1 byte to ${MAX_BODY_LIMIT} bytes (a body is parsed as one string, and V8's longest has that many characters), got "${vars.BODY_LIMIT}"`,
      );
    }
  }
  if (problems.length > 0) throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  return {
    port: vars.PORT ?? 3000,
    host: vars.HOST ?? '127.0.0.1',
    dataDir: resolve(vars.DATA_DIR ?? './data'),
    eventStoreUrl: vars.EVENTSTORE_URL ?? null,
    usersFile: vars.NEWSROOM_USERS_FILE ? resolve(vars.NEWSROOM_USERS_FILE) : null,
    production: vars.NODE_ENV === 'production',
    bodyLimit: vars.BODY_LIMIT ?? null,
    corsOrigins: (vars.CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
    // 10 a second for a whole minute: far beyond an editor's clicks, well below a script in a loop.
    rateLimitPerMinute: vars.RATE_LIMIT_PER_MINUTE ?? 600,
    shutdownTimeoutMs: vars.SHUTDOWN_TIMEOUT_MS ?? 10_000,
    logLevel: vars.LOG_LEVEL ?? 'info',
    ledgerKeyFile: vars.LEDGER_SIGNING_KEY_FILE ? resolve(vars.LEDGER_SIGNING_KEY_FILE) : null,
    checkpointIntervalMs: (vars.LEDGER_CHECKPOINT_INTERVAL_SECONDS ?? 60) * 1000,
  };
}
