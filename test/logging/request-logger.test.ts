import { createLogger } from '../../src/logging/index.js';
import { startTestGateway, TEST_INGEST_TOKEN, type TestGateway } from '../helpers/gateway.js';

/** Distinctive strings that must never reach the log. */
const SECRET_TEXT = 'the-message-body-nobody-may-log';
const SECRET_CAPTION = 'the-post-caption-nobody-may-log';
const SECRET_VARIABLE = 'a-variable-value-nobody-may-log';
const SECRET_COOKIE = 'a-session-cookie-nobody-may-log';

const MESSAGES = `query Messages($n: Int!) {
  viewer { conversations(last: 1) { edges { node { messages(last: $n) { edges { node { text } } } } } } }
}`;

describe('request logs', () => {
  let gw: TestGateway;
  let token: string;
  const lines: string[] = [];
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, any>);

  beforeAll(async () => {
    const logger = createLogger({ level: 'trace', destination: { write: (line: string) => void lines.push(line) } });
    gw = await startTestGateway('sqlite', {}, { logger });
    token = await gw.token('alice');
    const at = new Date().toISOString();
    const { body } = await gw.ingest([
      { id: 'log-msg', type: 'message.upsert', data: { id: 'log-msg', conversationId: 'log-conv', senderId: 'bob', text: SECRET_TEXT, sentAt: at, participantIds: ['alice', 'bob'] } },
      { id: 'log-post', type: 'post.upsert', data: { id: 'log-post', authorId: 'alice', caption: SECRET_CAPTION, visibility: 'PUBLIC', createdAt: at } },
    ]);
    expect(body.applied).toBe(2);

    // A POST with the token, a cookie and a request id; a GET with the operation in the URL.
    const post = await fetch(`${gw.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, cookie: `session=${SECRET_COOKIE}`, 'x-request-id': 'trace-post' },
      body: JSON.stringify({ query: MESSAGES, variables: { n: 5, unused: SECRET_VARIABLE } }),
    });
    expect(JSON.stringify(await post.json())).toContain(SECRET_TEXT);
    const search = new URLSearchParams({ query: '{ viewer { posts(last: 3) { edges { node { caption } } } } }', variables: JSON.stringify({ unused: SECRET_VARIABLE }) });
    const get = await fetch(`${gw.gateway.url}/graphql?${search}`, { headers: { authorization: `Bearer ${token}`, 'x-request-id': 'trace-get', 'apollo-require-preflight': 'true' } });
    expect(JSON.stringify(await get.json())).toContain(SECRET_CAPTION);
    // The completion line is written when the response has gone out; give the event loop a turn.
    await new Promise((resolve) => setTimeout(resolve, 50));
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('writes one JSON line per request with its id, app, grant and operation', () => {
    const line = entries().find((entry) => entry.req?.id === 'trace-post');
    expect(line).toMatchObject({
      msg: 'request completed',
      req: { method: 'POST', path: '/graphql' },
      res: { statusCode: 200 },
      appId: 'demo-app',
      operation: 'Messages',
    });
    expect(line!.grantId).toEqual(expect.any(String));
  });

  it('sends the request id back in x-request-id, and makes one up when the client sent none', async () => {
    const response = await fetch(`${gw.gateway.url}/healthz`);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const given = await fetch(`${gw.gateway.url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
  });

  it('logs the path of a GET without its query string', () => {
    const line = entries().find((entry) => entry.req?.id === 'trace-get');
    expect(line?.req).toEqual({ id: 'trace-get', method: 'GET', path: '/graphql' });
  });

  it.each([
    ['the access token', () => token],
    ['the ingest token', () => TEST_INGEST_TOKEN],
    ['the cookie', () => SECRET_COOKIE],
    ['a message body', () => SECRET_TEXT],
    ['a post caption', () => SECRET_CAPTION],
    ['a variable', () => SECRET_VARIABLE],
  ])('never contains %s', (_name, secret) => {
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.join('\n')).not.toContain(secret());
  });

  it('redacts secrets and message text from objects logged by mistake', () => {
    const before = lines.length;
    gw.gateway.logger.warn({ authorization: `Bearer ${token}`, message: { text: SECRET_TEXT }, req: { headers: { cookie: SECRET_COOKIE } } }, 'careless');
    const written = lines.slice(before).join('\n');
    expect(written).toContain('careless');
    for (const secret of [token, SECRET_TEXT, SECRET_COOKIE]) expect(written).not.toContain(secret);
  });
});
