import type { Request } from 'express';
import { createHash } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import { AuthenticatedUser } from '../../auth/roles.decorator';
import { InvalidInputError } from '../../common/app-error';
import { RequestWithCorrelation } from '../../http/correlation-id.middleware';
import { CommandEnvelope } from './article-command.runner';

const IF_MATCH = /^\s*(?:W\/)?"?(\d{1,18})"?\s*$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** `If-Match: "<revision>"` as a revision; null when absent; 400 when it is not a revision. */
export function parseIfMatch(header: string | undefined): bigint | null {
  if (header === undefined) return null;
  const match = IF_MATCH.exec(header);
  if (!match) {
    throw new InvalidInputError('If-Match must be an article revision, e.g. "3"', [
      { field: 'If-Match', message: 'must be a quoted decimal revision' },
    ]);
  }
  return BigInt(match[1]);
}

/** The request's envelope: who, why, the trace id, If-Match and Idempotency-Key. */
export function commandEnvelope(request: Request, user: AuthenticatedUser, reason: string | null | undefined): CommandEnvelope {
  const key = request.header('idempotency-key');
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new InvalidInputError('Idempotency-Key must be 1-200 visible ASCII characters', [
      { field: 'Idempotency-Key', message: 'must be 1-200 visible ASCII characters' },
    ]);
  }
  // The request as sent (method, path, body with keys in a stable order) identifies a retry.
  const requestHash = createHash('sha256')
    .update(`${request.method} ${request.path}\n${stringify(request.body ?? null)}`)
    .digest('hex');
  return {
    user,
    reason: reason ?? null,
    correlationId: (request as RequestWithCorrelation).correlationId!,
    expectedRevision: parseIfMatch(request.header('if-match')),
    idempotency: key === undefined ? null : { key, requestHash },
  };
}
