import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerWebhook } from '../../src/webhooks/index.js';
import { DEMO_APP } from '../../src/auth/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { dialects } from '../helpers/stores.js';
import { archiveWhen, requestArchive } from '../helpers/archives.js';

interface Delivery {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** README's verification recipe, written out as a receiver would. */
function verify(secret: string, header: string, body: string, nowSeconds = Date.now() / 1000): boolean {
  const fields = Object.fromEntries(header.split(',').map((part) => part.split('=')));
  const timestamp = Number(fields.t);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${fields.t}.${body}`).digest();
  const given = Buffer.from(fields.v1 ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe.each(dialects())('webhooks on %s', (dialect) => {
  let gw: TestGateway;
  let receiver: http.Server;
  let secret: string;
  const deliveries: Delivery[] = [];
  let failuresLeft = 2;

  beforeAll(async () => {
    gw = await startTestGateway(dialect, { WEBHOOK_BACKOFF_SECONDS: '0.05' });
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        deliveries.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.statusCode = failuresLeft-- > 0 ? 503 : 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    secret = (await registerWebhook(gw.store.db, DEMO_APP.clientId, `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`)) as string;
  });
  afterAll(async () => {
    await gw?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const until = async (done: () => boolean) => {
    const deadline = Date.now() + 20_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out with ${deliveries.length} deliveries`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  it('delivers archive.ready on the third attempt to a receiver that fails twice, recording every attempt', async () => {
    const token = await gw.token('alice', 'portability.posts.single');
    const { archive } = await requestArchive(gw, token, ['POSTS']);
    const ready = await archiveWhen(gw, token, archive.id, ['READY']);
    await until(() => deliveries.length >= 3);
    const bodies = deliveries.map((d) => JSON.parse(d.body));
    expect(bodies.map((b) => b.type)).toEqual(['archive.ready', 'archive.ready', 'archive.ready']);
    expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
    expect(bodies[2].data.archive).toMatchObject({ id: archive.id, status: 'READY', sha256: ready.sha256, downloadUrl: ready.downloadUrl });

    // The receiver has answered; the gateway records the outcome just after.
    const eventRow = () => gw.store.db.selectFrom('webhookEvents').selectAll().where('id', '=', bodies[0].id).executeTakeFirstOrThrow();
    let event = await eventRow();
    // A timer between reads: on SQLite a read is microtasks only, and a loop of them would starve
    // the I/O that records the outcome.
    while (event.status === 'PENDING') {
      await new Promise((resolve) => setTimeout(resolve, 20));
      event = await eventRow();
    }
    expect(event).toMatchObject({ status: 'DELIVERED', attempts: 3 });
    const attempts = await gw.store.db.selectFrom('webhookAttempts').selectAll().where('eventId', '=', event.id).orderBy('attempt').execute();
    expect(attempts.map((a) => [a.attempt, a.httpStatus])).toEqual([[1, 503], [2, 503], [3, 204]]);
  });

  it('signs every delivery so that README\'s recipe verifies it', () => {
    for (const delivery of deliveries) expect(verify(secret, String(delivery.headers['portability-signature']), delivery.body)).toBe(true);
  });

  it('fails verification for an altered body, another secret, or an old timestamp', () => {
    const { headers, body } = deliveries[0]!;
    const signature = String(headers['portability-signature']);
    expect(verify(secret, signature, body.replace('READY', 'FAILED'))).toBe(false);
    expect(verify('whsec_other', signature, body)).toBe(false);
    expect(verify(secret, signature, body, Date.now() / 1000 + 3600)).toBe(false);
  });

  it('sends grant.revoked when the user revokes the grant', async () => {
    const token = await gw.token('alice', 'portability.posts.ongoing');
    const { body } = await gw.graphql('{ grant { id } }', { token });
    const before = deliveries.length;
    expect(await gw.gateway.authority.revokeGrant(body.data.grant.id)).toBe(true);
    await until(() => deliveries.slice(before).some((d) => JSON.parse(d.body).type === 'grant.revoked'));
    const revoked = deliveries.slice(before).map((d) => JSON.parse(d.body)).find((b) => b.type === 'grant.revoked');
    expect(revoked.data.grant.id).toBe(body.data.grant.id);
  });
});
