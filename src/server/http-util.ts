import { randomUUID, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Whether an `Authorization` header is `Bearer <secret>`, compared in constant time. */
export function bearerCheck(secret: string): (authorization: string | undefined) => boolean {
  const expected = Buffer.from(`Bearer ${secret}`);
  return (authorization) => {
    const given = Buffer.from(authorization ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
}

/** A body that is too large, or not JSON, for {@link readBody}: the status and message to answer with. */
export class BodyError extends Error {
  constructor(
    readonly status: 400 | 406 | 411 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/** Reads a request body up to `limit` bytes; parses it as JSON when the content type says JSON. */
export async function readBody(req: http.IncomingMessage, limit: number): Promise<unknown> {
  if (Number(req.headers['content-length'] ?? 0) > limit) throw new BodyError(413, 'Request body too large');
  const text = (await readChunks(req, limit)).toString('utf8');
  if (!/json/i.test(req.headers['content-type'] ?? '')) return text;
  try {
    return JSON.parse(text);
  } catch {
    throw new BodyError(400, 'The request body is not valid JSON');
  }
}

/**
 * The body's bytes, read with the stream's own events (an async iterator costs a small request
 * more than the rest of reading it). Past `limit`, reading stops and the rest is never read.
 */
function readChunks(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (outcome: () => void) => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.pause();
      settle(() => reject(new BodyError(413, 'Request body too large')));
    };
    const onEnd = () => settle(() => resolve(Buffer.concat(chunks, size)));
    const onError = (error: Error) => settle(() => reject(error));
    const onClose = () => settle(() => reject(new Error('the request closed before its body ended')));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/** Answers a {@link BodyError} as GraphQL-style JSON; the rest of a refused body is never read, so the connection closes. */
export function sendBodyError(res: http.ServerResponse, error: BodyError): void {
  res.writeHead(error.status, { 'content-type': 'application/json', connection: 'close' });
  const code = { 400: 'BAD_REQUEST', 406: 'NOT_ACCEPTABLE', 411: 'LENGTH_REQUIRED', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE' }[error.status];
  res.end(JSON.stringify({ errors: [{ message: error.message, extensions: { code, correlationId: randomUUID() } }] }));
}

/** Reads a JSON body, answering 400/413 itself and returning undefined when it cannot. */
export async function readJsonBody(req: http.IncomingMessage, res: http.ServerResponse, limit: number): Promise<unknown> {
  try {
    const body = await readBody(req, limit);
    if (typeof body === 'string') throw new BodyError(400, 'Send the body as application/json');
    return body;
  } catch (error) {
    if (!(error instanceof BodyError)) throw error;
    sendBodyError(res, error);
    return undefined;
  }
}
