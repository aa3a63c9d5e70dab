import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, WebhookEventsTable } from '../store/index.js';

/** The events an app's webhook receives. */
export type WebhookEventType = WebhookEventsTable['type'];

/**
 * Registers (or replaces) an app's webhook URL with a new signing secret, returned once. The
 * secret is kept as is: the gateway signs with it, so a digest would not do. False when there is
 * no such app.
 */
export async function registerWebhook(db: Kysely<Database>, appId: string, url: string): Promise<string | false> {
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  const result = await db.updateTable('apps').set({ webhookUrl: url, webhookSecret: secret }).where('id', '=', appId).executeTakeFirst();
  return result.numUpdatedRows > 0n && secret;
}

/** Removes an app's webhook; events still queued for it are dropped at their next attempt. */
export async function removeWebhook(db: Kysely<Database>, appId: string): Promise<boolean> {
  const result = await db.updateTable('apps').set({ webhookUrl: null, webhookSecret: null }).where('id', '=', appId).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Queues an event for an app's webhook, in the caller's transaction when it passes one, so the
 * event is recorded exactly when what it reports commits. Nothing is queued for an app without a
 * webhook.
 */
export async function enqueueWebhook(db: Kysely<Database>, appId: string, type: WebhookEventType, data: object): Promise<void> {
  const app = await db.selectFrom('apps').select('webhookUrl').where('id', '=', appId).executeTakeFirst();
  if (!app?.webhookUrl) return;
  const now = Date.now();
  const id = `evt_${randomBytes(12).toString('base64url')}`;
  const payload = JSON.stringify({ id, type, createdAt: new Date(now).toISOString(), data });
  await db.insertInto('webhookEvents').values({ id, appId, type, payload, status: 'PENDING', attempts: 0, createdAt: now, nextAttemptAt: now }).execute();
}
