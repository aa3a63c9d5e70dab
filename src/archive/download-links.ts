import { createHmac, timingSafeEqual } from 'node:crypto';

/** Where archives are downloaded: `/archives/<archive id>.zip?expires=…&signature=…`. */
export const DOWNLOAD_PREFIX = '/archives/';

/**
 * Signs and checks download links: HMAC-SHA256 over the archive id and the expiry, with a key
 * every instance shares. A link needs no token, so it works from any HTTP client and resumes
 * with Range; it can be neither altered nor extended.
 */
export class DownloadLinks {
  constructor(
    private readonly baseUrl: string,
    private readonly key: Buffer,
  ) {}

  /** The signed URL of an archive (by its global id), valid until `expiresAt`. */
  url(globalId: string, expiresAt: number): string {
    const expires = Math.floor(expiresAt / 1000);
    return `${this.baseUrl}${DOWNLOAD_PREFIX}${globalId}.zip?expires=${expires}&signature=${this.#sign(globalId, expires)}`;
  }

  /** Whether `signature` is this gateway's for the id and expiry (expired or not). */
  verify(globalId: string, expires: string, signature: string): boolean {
    if (!/^\d{1,12}$/.test(expires)) return false;
    const given = Buffer.from(signature, 'base64url');
    const expected = Buffer.from(this.#sign(globalId, Number(expires)), 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  #sign(globalId: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${globalId}\n${expires}`).digest('base64url');
  }
}
