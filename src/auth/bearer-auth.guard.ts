import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError, UnauthenticatedError } from '../common/app-error';
import { PUBLIC_KEY, RequestWithUser, ROLES_KEY } from './roles.decorator';
import type { Role } from './roles';
import { requestUser, USER_DIRECTORY, UserDirectory } from './users';

/** Authenticates every route but @Public() ones, then checks @Roles(). */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(USER_DIRECTORY) private readonly users: UserDirectory,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<RequestWithUser>();
    // RFC 6750 §2.3 allows a token in the query string, and §5.3 says why not to: URLs end up
    // in logs and histories. Refused everywhere, even with a valid header, so clients stop.
    if (request.query && Object.hasOwn(request.query, 'access_token')) {
      throw new UnauthenticatedError('Tokens are not accepted in the query string; send "Authorization: Bearer <token>"', true);
    }
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const user = requestUser(request, this.users);
    if (!user) {
      // RFC 6750 §3.1: error="invalid_token" only when a bearer token was sent.
      const presented = /^Bearer\s/i.test(request.headers.authorization ?? '');
      throw new UnauthenticatedError('A valid "Authorization: Bearer <token>" header is required', presented);
    }
    request.user = user;
    // The request log reads it from Node's request, the one object it shares with the routes.
    request.raw.user = user;
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (allowed && !allowed.some((role) => user.roles.includes(role))) {
      throw new ForbiddenError(`This needs one of the roles: ${allowed.join(', ')}`);
    }
    return true;
  }
}
