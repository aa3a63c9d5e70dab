import type http from 'node:http';
import type { Kysely } from 'kysely';
import { ingest, ingestBatch, type Notifier } from '../changes/index.js';
import type { Category, Database } from '../store/index.js';
import { bearerCheck, readJsonBody, sendJson } from './http-util.js';

/** Ingest batches are larger than GraphQL requests: up to 1 000 events. */
const MAX_INGEST_BYTES = 5 * 1024 * 1024;

/**
 * `POST /internal/v1/events`: the platform's own services write user data here, with
 * `Authorization: Bearer $INGEST_TOKEN` and never with an app's token. Unset, ingest is closed.
 * Events of a `federated` category carry only the ids that place their changes.
 */
export function ingestRoute(db: Kysely<Database>, notifier: Notifier, ingestToken: string | undefined, federated: ReadonlySet<Category>) {
  const authorized = ingestToken ? bearerCheck(ingestToken) : undefined;
  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    if (!authorized) return sendJson(res, 403, { error: 'ingest_closed', message: 'Ingest is closed: set INGEST_TOKEN to open it.' });
    if (!authorized(req.headers.authorization)) {
      res.setHeader('www-authenticate', 'Bearer');
      return sendJson(res, 401, { error: 'unauthorized', message: 'Send Authorization: Bearer <INGEST_TOKEN>.' });
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return sendJson(res, 405, { error: 'method_not_allowed', message: 'POST a batch of events.' });
    }
    const body = await readJsonBody(req, res, MAX_INGEST_BYTES);
    if (body === undefined) return;
    const batch = ingestBatch.safeParse(body);
    if (!batch.success) {
      return sendJson(res, 400, { error: 'bad_request', message: 'The body must be {"events": [ … ]} with 1 to 1000 events.' });
    }
    const results = await ingest(db, notifier, batch.data.events, federated);
    const count = (status: string) => results.filter((r) => r.status === status).length;
    sendJson(res, 200, { applied: count('applied'), duplicates: count('duplicate'), rejected: count('rejected'), results });
  };
}
