import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';

import type { AuthenticatedUser, Role } from './roles';

export const ROLES_KEY = 'newsroom:roles';
export const PUBLIC_KEY = 'newsroom:public';

/** Only users holding one of these roles may call the route (any authenticated user without it). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** The route needs no token (GET /health). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export type RequestWithUser = Request & { user?: AuthenticatedUser };

/** The user the bearer guard authenticated. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthenticatedUser => {
  const user = ctx.switchToHttp().getRequest<RequestWithUser>().user;
  if (!user) throw new Error('CurrentUser used on a route without authentication');
  return user;
});
