import { ALL_SCOPES, createApp } from '../../src/auth/index.js';
import { browserSuite, screenshot, signIn } from '../helpers/chromium.js';
import { Subscriber } from '../helpers/subscriber.js';

const CHANGES = 'subscription { changes(categories: [POSTS]) { cursor node { id ... on Post { caption } } } }';

function post(n: number) {
  return { id: `evt-account-${n}`, type: 'post.upsert', data: { id: `account-post-${n}`, authorId: 'alice', caption: `Post ${n}`, visibility: 'PUBLIC', createdAt: new Date().toISOString() } };
}

describe('the account page in a browser', () => {
  const suite = browserSuite();

  it("ends the revoked app's WebSocket stream with 4403, and only that app's", async () => {
    const { gw } = suite;
    const other = await createApp(gw.store.db, { name: 'Other app', redirectUris: ['http://127.0.0.1:9/cb'], scopes: [...ALL_SCOPES], status: 'APPROVED' });
    const revoked = new Subscriber(gw.gateway.url, `Bearer ${await gw.token('alice')}`, CHANGES);
    const kept = new Subscriber(gw.gateway.url, `Bearer ${await gw.gateway.authority.issueToken('alice', other.clientId, 'portability.all.ongoing')}`, CHANGES);
    try {
      // Both streams are live once a change reaches them.
      for (let n = 1; revoked.events.length === 0 || kept.events.length === 0; n++) {
        if (n > 5) throw new Error('the streams never went live');
        await gw.ingest([post(n)]);
        await Promise.all([revoked.until(() => revoked.events.length > 0, 2000), kept.until(() => kept.events.length > 0, 2000)]).catch(() => undefined);
      }

      const { page, close } = await suite.open();
      await page.goto(`${gw.gateway.url}/account`);
      await signIn(page, 'alice');
      await screenshot(page, 'account-1-connected-apps');
      await page.getByRole('button', { name: "Revoke Demo backup app's access" }).click();
      await page.getByRole('heading', { name: 'Connected apps' }).waitFor();
      await screenshot(page, 'account-2-demo-app-revoked');
      await close();

      await revoked.until(() => revoked.closed !== undefined);
      expect(revoked.closed?.code).toBe(4403);

      const before = kept.events.length;
      await gw.ingest([post(100)]);
      await kept.until(() => kept.events.length > before);
      expect(kept.closed).toBeUndefined();
      expect(kept.events.at(-1).changes.node.caption).toBe('Post 100');
    } finally {
      await Promise.all([revoked.close(), kept.close()]);
    }
  });
});
