import type { IncomingMessage } from 'node:http';

/**
 * The address a request came from, as the per-address limits count it: the TCP peer's, or with
 * `trustProxy` (`TRUST_PROXY=on`) the last entry of `X-Forwarded-For`, the one the load balancer
 * appended. Entries before it are whatever the client wrote there, and prove nothing.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = trustProxy ? req.headers['x-forwarded-for'] : undefined;
  const appended = typeof forwarded === 'string' ? forwarded.split(',').at(-1)?.trim() : undefined;
  return appended || req.socket.remoteAddress || 'unknown';
}
