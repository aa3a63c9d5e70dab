import type http from 'node:http';
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';

/** One served download of an archive, for the access log: whose data, through which app and grant. */
export interface ArchiveDownload {
  userId: string;
  appId: string;
  grantId: string;
  /** The archive's categories. */
  categories: string[];
  /**
   * The records handed out: all of the archive's for a response that starts at its first byte;
   * none for a range further on, the rest of a download already counted when it began.
   */
  items: number;
}

/**
 * Reports a download once its response is over, if it served any of the file: a GET answered
 * 200, or 206 with a range. HEAD and refusals hand out nothing. A signed link carries no token,
 * so the archive's own row says whose access it was.
 */
export async function reportDownload(
  db: Kysely<Database>,
  id: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  report: (download: ArchiveDownload) => void,
): Promise<void> {
  if (req.method !== 'GET' || (res.statusCode !== 200 && res.statusCode !== 206)) return;
  const fromStart = res.statusCode === 200 || /^bytes 0-/.test(String(res.getHeader('content-range')));
  const archive = await db.selectFrom('archives').select(['userId', 'appId', 'grantId', 'categories', 'progress']).where('id', '=', id).executeTakeFirst();
  if (!archive) return;
  const records = Object.values(JSON.parse(archive.progress) as Record<string, number>).reduce((sum, n) => sum + n, 0);
  const { userId, appId, grantId } = archive;
  report({ userId, appId, grantId, categories: archive.categories.split(' '), items: fromStart ? records : 0 });
}
