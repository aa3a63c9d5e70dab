import { createHash } from 'node:crypto';

/** Tokens and secrets are stored only as their SHA-256, so a leaked table yields no usable credential. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
