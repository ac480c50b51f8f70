import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';

import type { AuthenticatedUser, Role } from './roles';

export const ROLES_KEY = 'newsroom:roles';
export const PUBLIC_KEY = 'newsroom:public';

/** Only users holding one of these roles may call the route (any authenticated user without it). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** The route needs no token (GET /health). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Node's request, where the request log (observeRequests, request-observer.ts) reads the user the bearer guard found. */
export type RawRequestWithUser = IncomingMessage & { user?: AuthenticatedUser };

/** Fastify's request, with the user the bearer guard authenticated (also kept on `raw`). */
export type RequestWithUser = FastifyRequest & { user?: AuthenticatedUser; raw: RawRequestWithUser };

/** The user the bearer guard authenticated. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthenticatedUser => {
  const user = ctx.switchToHttp().getRequest<RequestWithUser>().user;
  if (!user) throw new Error('CurrentUser used on a route without authentication');
  return user;
});
