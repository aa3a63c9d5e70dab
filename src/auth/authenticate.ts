import type { Kysely } from 'kysely';
import { ErrorCode, gatewayError, httpStatusOf, unauthenticated } from '../errors/index.js';
import type { Viewer } from '../graph/index.js';
import type { Database } from '../store/index.js';
import { isEligibleCountry } from './region.js';
import { expandScopes } from './scopes.js';
import { findAccessToken } from './tokens.js';

/**
 * Turns an `Authorization` header into the viewer it speaks for. No header means an anonymous
 * caller (undefined); a header that is not a live bearer token is refused with 401, and a user
 * outside the eligible region with `REGION_NOT_ELIGIBLE`.
 */
export async function authenticate(
  db: Kysely<Database>,
  authorization: string | undefined,
  extraCountries: ReadonlySet<string>,
): Promise<Viewer | undefined> {
  if (authorization === undefined || authorization === '') return undefined;
  const match = /^Bearer ([\x21-\x7e]+)$/i.exec(authorization.trim());
  if (!match) throw unauthenticated('The Authorization header must be `Bearer <token>`.', true);
  const holder = await findAccessToken(db, match[1]!);
  if (!holder) throw unauthenticated('The access token is invalid, expired or revoked.', true);
  if (!isEligibleCountry(holder.country, extraCountries)) {
    throw gatewayError(ErrorCode.RegionNotEligible, 'Data portability is offered to users in the EEA only.', {
      http: { status: httpStatusOf(ErrorCode.RegionNotEligible) },
    });
  }
  return { userId: holder.userId, clientId: holder.clientId, scopes: expandScopes(holder.scope) };
}
