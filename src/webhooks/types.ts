/** One notification. `id` is unique per event: receivers deduplicate retries by it. */
export type WebhookEvent<data = Record<string, unknown>> = {
  id: string;
  /** e.g. "agent.key-rotated", "api.revoked-key-used"; see docs/webhooks.md. */
  type: string;
  /** ISO 8601. */
  occurredAt: string;
  data: data;
};

export type WebhookDelivery = { event: WebhookEvent; status: number | undefined; attempts: number; delivered: boolean; error?: string | undefined };
