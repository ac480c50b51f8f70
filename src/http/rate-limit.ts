import { ExecutionContext, Injectable, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModule, ThrottlerModuleOptions } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import type { RequestWithUser } from '../auth/roles.decorator';
import { requestUser, USER_DIRECTORY, UserDirectory } from '../auth/users';
import { TooManyRequestsError } from '../common/app-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { pathOf } from './problem.filter';

/** Paths no rate limit applies to: the probes and the metrics an orchestrator polls. */
const EXEMPT = /^\/(health(\/.*)?|metrics)$/;

/**
 * Whom a request counts against: `user:<id>` for a valid bearer token (requestUser: one lookup
 * per request, shared with the bearer guard), `ip:<address>`
 * otherwise (the socket's address: no proxy header is trusted).
 */
export function rateLimitTracker(request: RequestWithUser, users: UserDirectory): string {
  const user = request.user ?? requestUser(request, users);
  return user ? `user:${user.id}` : `ip:${request.ip ?? request.socket.remoteAddress ?? 'unknown'}`;
}

/**
 * The throttler's options from the configuration: one window of 60 s allowing
 * RATE_LIMIT_PER_MINUTE requests per tracker, counted across every route together (a user's
 * total, not one count per endpoint), in this process's memory (each instance counts its own).
 */
export function rateLimitOptions(config: AppConfig, users: UserDirectory): ThrottlerModuleOptions {
  return {
    throttlers: [{ name: 'default', ttl: 60_000, limit: Math.max(1, config.rateLimitPerMinute) }],
    skipIf: (context: ExecutionContext) => config.rateLimitPerMinute === 0 || EXEMPT.test(pathOf(context.switchToHttp().getRequest<FastifyRequest>())),
    getTracker: (request) => rateLimitTracker(request as RequestWithUser, users),
    generateKey: (_context, tracker, name) => `${name}:${tracker}`,
  };
}

/**
 * @nestjs/throttler's guard, refusing with the application's own 429 problem document
 * (RFC 6585 §4) and Retry-After in whole seconds until the window lets the tracker in again.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const seconds = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    // The library sets only Retry-After on a refusal: the X-RateLimit headers every other response has (README), here too.
    const response = context.switchToHttp().getResponse<{ header(name: string, value: number): unknown }>();
    response.header('X-RateLimit-Limit', detail.limit);
    response.header('X-RateLimit-Remaining', 0);
    response.header('X-RateLimit-Reset', seconds);
    throw new TooManyRequestsError(`More than ${detail.limit} requests in ${detail.ttl / 1000} s; retry in ${seconds} s`, seconds);
  }
}

/** Per-user rate limits on every route but /health* and /metrics (RATE_LIMIT_PER_MINUTE). */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, USER_DIRECTORY],
      useFactory: (config: AppConfig, users: UserDirectory) => rateLimitOptions(config, users),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
})
export class RateLimitModule {}
