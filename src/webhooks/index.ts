export { enqueueWebhook, registerWebhook, removeWebhook, type WebhookEventType } from './webhook-queue.js';
export { SIGNATURE_HEADER, signWebhook, verifyWebhook } from './webhook-signature.js';
export { backoffMs, WebhookDeliverer, WEBHOOK_RETRY_WINDOW_MS } from './webhook-deliverer.js';
