import type http from 'node:http';
import { GraphQLError } from 'graphql';
import type { Kysely } from 'kysely';
import send from 'send';
import type { GrantLapse } from '../auth/index.js';
import { ErrorCode, httpStatusOf } from '../errors/index.js';
import { fromGlobalId } from '../graph/index.js';
import type { Database } from '../store/index.js';
import { DOWNLOAD_PREFIX, type DownloadLinks } from './download-links.js';
import { archivePath, type GrantCheck } from './worker.js';

/** What a download of a grant that stopped holding is told. */
const LAPSE_REFUSALS: Record<GrantLapse, [ErrorCode, string]> = {
  GRANT_REVOKED: [ErrorCode.GrantRevoked, 'The grant this archive was made under has been revoked.'],
  GRANT_EXPIRED: [ErrorCode.GrantExpired, 'The grant this archive was made under has expired: ask the user for a new one.'],
  APP_SUSPENDED: [ErrorCode.AppSuspended, 'This app is suspended.'],
  REGION_NOT_ELIGIBLE: [ErrorCode.RegionNotEligible, 'Data portability is offered to users in the EEA only, and this archive\'s user is no longer there.'],
};

/** Answers `{"error": {"code", "message"}}` with the code's HTTP status. */
function refuse(res: http.ServerResponse, code: ErrorCode, message: string): void {
  if (res.headersSent) return void res.destroy();
  res.statusCode = httpStatusOf(code);
  res.setHeader('content-type', 'application/json');
  res.setHeader('cache-control', 'no-store');
  res.removeHeader('content-length');
  res.end(JSON.stringify({ error: { code, message } }));
}

/**
 * `GET /archives/<id>.zip?expires=…&signature=…`: a finished archive's file, for whoever holds
 * the signed link until it expires. `send` serves it with `Content-Length`, `Accept-Ranges`,
 * single byte ranges (206, or 416 with `Content-Range: bytes *\/size`), `If-Range`, and the
 * archive's sha256 as a strong `ETag`. Links stop working at once when their grant stops holding:
 * revoked, expired, its app suspended or its user out of the region. Once a response is over,
 * `served` is told, for the access log.
 */
export function downloadRoute(
  db: Kysely<Database>,
  links: DownloadLinks,
  dir: string,
  grantLapse: GrantCheck,
  expire: () => Promise<void>,
  served: (id: string, req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>,
) {
  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return refuse(res, ErrorCode.MethodNotAllowed, 'Use GET (or HEAD).');
    }
    const url = new URL(req.url ?? '/', 'http://gateway');
    const match = new RegExp(`^${DOWNLOAD_PREFIX}([A-Za-z0-9_-]+)\\.zip$`).exec(url.pathname);
    const globalId = match?.[1];
    const expires = url.searchParams.get('expires') ?? '';
    const signature = url.searchParams.get('signature') ?? '';
    if (!globalId) return refuse(res, ErrorCode.NotFound, 'No such archive.');
    if (!links.verify(globalId, expires, signature)) {
      return refuse(res, ErrorCode.SignatureInvalid, 'The link\'s signature does not match: use the downloadUrl the API returned, unaltered.');
    }
    if (Number(expires) * 1000 <= Date.now()) {
      return refuse(res, ErrorCode.LinkExpired, 'This link has expired: request a new archive.');
    }
    const id = decodeArchiveId(globalId);
    const archive = id
      ? await db.selectFrom('archives').select(['status', 'sha256', 'expiresAt', 'grantId', 'appId', 'userId']).where('id', '=', id).executeTakeFirst()
      : undefined;
    if (!id || !archive || (archive.status !== 'READY' && archive.status !== 'EXPIRED')) {
      return refuse(res, ErrorCode.NotFound, 'No such archive.');
    }
    const lapse = await grantLapse(archive);
    if (lapse) return refuse(res, ...LAPSE_REFUSALS[lapse]);
    if (archive.status === 'EXPIRED' || (archive.expiresAt ?? 0) <= Date.now()) {
      await expire();
      return refuse(res, ErrorCode.LinkExpired, 'This archive has expired and its file was deleted: request a new archive.');
    }

    res.setHeader('etag', `"${archive.sha256}"`);
    res.setHeader('cache-control', 'private, no-transform');
    res.setHeader('content-disposition', `attachment; filename="archive-${globalId}.zip"`);
    await new Promise<void>((resolve) => {
      send(req, archivePath(dir, id), { etag: false, lastModified: false, cacheControl: false, acceptRanges: true })
        .on('error', (error: { status?: number }) => {
          if (error.status === 416) refuse(res, ErrorCode.RangeNotSatisfiable, 'The requested range lies outside the archive.');
          else if (error.status === 404) refuse(res, ErrorCode.NotFound, 'No such archive.');
          else refuse(res, ErrorCode.InternalServerError, 'The archive could not be read.');
          resolve();
        })
        .on('end', resolve)
        .pipe(res);
      res.once('close', resolve);
    });
    await served(id, req, res);
  };
}

function decodeArchiveId(globalId: string): string | undefined {
  try {
    const { type, id } = fromGlobalId(globalId);
    return type === 'Archive' ? id : undefined;
  } catch (error) {
    // A malformed id: the same as an unknown one.
    if (error instanceof GraphQLError) return undefined;
    throw error;
  }
}
