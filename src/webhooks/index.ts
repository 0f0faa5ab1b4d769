export { type CreateWebhookSenderParameters, createWebhookSender, type WebhookSender } from "./createWebhookSender.ts";
export { InvalidWebhookOptionError } from "./errors.ts";
export type { WebhookDelivery, WebhookEvent } from "./types.ts";
