// Bearer-token authentication for routes; the auth capability verifies tokens, this maps them onto requests.
import type { HttpRequest } from '@azure/functions';
import type { Actor, RequestOrigin } from '../auth/actor';
import { resolveActor } from '../auth/resolve-actor';
import { recordAudit } from '../audit/record-audit';
import type { Services } from '../services';
import { AppError } from '../shared/app-error';

// Exactly one space and nothing around the token: every client sends that, and a padded token is not the one issued.
const BEARER = /^Bearer ([^\s]+)$/i;

/** Resolves the caller from `Authorization: Bearer …`, or throws Unauthenticated (one body for every reason). */
export async function authenticateRequest(services: Services, request: HttpRequest): Promise<Actor> {
  const header = request.headers.get('authorization');
  const token = header ? BEARER.exec(header)?.[1] : undefined;
  if (!token) throw new AppError('Unauthenticated');
  const actor = await resolveActor(services, token);
  if (!actor) throw new AppError('Unauthenticated');
  return actor;
}

/** Audits a refused action (`authz_fail`) with the caller's firm, identity and origin. */
export async function recordForbidden(services: Services, actor: Actor, origin: RequestOrigin, what: string): Promise<void> {
  await recordAudit(
    services.db,
    { firmId: actor.firmId, action: 'authz_fail', actor, details: { route: what, role: actor.role }, origin },
    services.clock.now(),
  );
}
