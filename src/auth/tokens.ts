import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';

/** Tokens are stored only as their SHA-256, so a leaked table yields no usable credential. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface IssueTokenOptions {
  userId: string;
  clientId: string;
  scope: string;
  ttlSeconds: number;
  now?: number;
}

/** Mints an opaque access token and stores its hash; the token itself is returned once and never kept. */
export async function issueAccessToken(db: Kysely<Database>, options: IssueTokenOptions): Promise<string> {
  const token = `pgw_${randomBytes(32).toString('base64url')}`;
  const now = options.now ?? Date.now();
  await db
    .insertInto('accessTokens')
    .values({
      tokenHash: hashToken(token),
      userId: options.userId,
      clientId: options.clientId,
      scope: options.scope,
      createdAt: now,
      expiresAt: now + options.ttlSeconds * 1000,
      revokedAt: null,
    })
    .execute();
  return token;
}

export interface TokenHolder {
  userId: string;
  clientId: string;
  scope: string;
  country: string;
}

/** The live token's holder, or undefined for a token that is unknown, expired or revoked. */
export async function findAccessToken(db: Kysely<Database>, token: string, now = Date.now()): Promise<TokenHolder | undefined> {
  return db
    .selectFrom('accessTokens')
    .innerJoin('users', 'users.id', 'accessTokens.userId')
    .select(['accessTokens.userId', 'accessTokens.clientId', 'accessTokens.scope', 'users.country'])
    .where('accessTokens.tokenHash', '=', hashToken(token))
    .where('accessTokens.expiresAt', '>', now)
    .where('accessTokens.revokedAt', 'is', null)
    .executeTakeFirst();
}
