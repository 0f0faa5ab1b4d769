import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { KeyFile } from "../keys/index.ts";
import { signRequest } from "../signer/signRequest.ts";
import { InvalidWebhookOptionError } from "./errors.ts";
import type { WebhookDelivery, WebhookEvent } from "./types.ts";

export type CreateWebhookSenderParameters = {
  /** Receiver endpoint, http(s), without credentials in it. */
  url: string;
  /** The sender's signing key (with its private part); receivers verify with its public key. */
  key: KeyFile;
  /** Events waiting at most; beyond it new events are dropped (and reported). Default 1,000. */
  maxQueue?: number | undefined;
  /** Attempts per event (1 = no retry). Default 5; a 2xx ends them, a 4xx other than 408/429 too. */
  attempts?: number | undefined;
  /** First retry delay, doubled per attempt. Default 500 ms. */
  backoffMs?: number | undefined;
  /** Per attempt. Default 5 s. */
  timeoutMs?: number | undefined;
  /** Every finished event, delivered or given up. */
  onDelivery?: ((delivery: WebhookDelivery) => void) | undefined;
  /** Default `globalThis.fetch`. */
  fetch?: ((request: Request) => Promise<Response>) | undefined;
};

export type WebhookSender = {
  /** Queues an event (id and time added); false when the queue is full and the event was dropped. */
  send(type: string, data: Record<string, unknown>): boolean;
  /** Resolves when every queued event has been delivered or given up. */
  flush(): Promise<void>;
  /** Flushes, then refuses new events. */
  close(): Promise<void>;
  readonly dropped: number;
};

/**
 * POSTs JSON events to a receiver, one at a time in order, each request signed
 * with KeyLedger's RFC 9421 profile (Content-Digest over the body, a fresh nonce
 * per attempt), so a receiver verifies it with `createVerifier` and the sender's
 * public key, exactly as an API verifies its clients. Delivery is at least once:
 * a retry carries the same event `id`.
 */
export function createWebhookSender(parameters: CreateWebhookSenderParameters): WebhookSender {
  const { url, key, maxQueue = 1_000, attempts = 5, backoffMs = 500, timeoutMs = 5_000, onDelivery = () => {} } = parameters;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new InvalidWebhookOptionError(`Webhook URL "${String(url)}" is not a URL.`);
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") throw new InvalidWebhookOptionError(`Webhook URL must be http(s), got ${target.protocol}`);
  if (target.username || target.password) throw new InvalidWebhookOptionError("Webhook URL must not carry credentials: the signature authenticates the sender.");
  if (!key?.privateKey) throw new InvalidWebhookOptionError("The webhook signing key needs its private part.");
  for (const [name, value, min] of [
    ["maxQueue", maxQueue, 1],
    ["attempts", attempts, 1],
    ["backoffMs", backoffMs, 0],
    ["timeoutMs", timeoutMs, 1],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < min) throw new InvalidWebhookOptionError(`Webhook ${name} must be an integer >= ${min}, got ${String(value)}.`);
  }
  const fetchFn = parameters.fetch ?? ((request: Request) => globalThis.fetch(request));
  const queue: WebhookEvent[] = [];
  let running: Promise<void> | undefined;
  let closed = false;
  let dropped = 0;

  async function deliver(event: WebhookEvent): Promise<WebhookDelivery> {
    const body = JSON.stringify(event);
    let status: number | undefined;
    let error: string | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const request = await signRequest(
          new Request(target, { method: "POST", headers: { "content-type": "application/json", "keyledger-event": event.type }, body }),
          { key },
        );
        const response = await fetchFn(new Request(request, { signal: AbortSignal.timeout(timeoutMs) }));
        status = response.status;
        await response.arrayBuffer().catch(() => undefined);
        if (status >= 200 && status < 300) return { event, status, attempts: attempt, delivered: true };
        error = `HTTP ${status}`;
        // The receiver understood and refused: retrying the same bytes will not change its mind.
        if (status >= 400 && status < 500 && status !== 408 && status !== 429) return { event, status, attempts: attempt, delivered: false, error };
      } catch (cause) {
        status = undefined;
        error = (cause as Error).message;
      }
      if (attempt < attempts) await sleep(backoffMs * 2 ** (attempt - 1));
    }
    return { event, status, attempts, delivered: false, error };
  }

  function pump(): Promise<void> {
    running ??= (async () => {
      try {
        while (queue.length) onDelivery(await deliver(queue.shift()!));
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  return {
    send(type, data) {
      if (closed) throw new InvalidWebhookOptionError("The webhook sender is closed.");
      if (typeof type !== "string" || !/^[a-z][a-z0-9.-]{0,63}$/.test(type)) throw new InvalidWebhookOptionError(`Webhook event type "${String(type)}" must match [a-z][a-z0-9.-]{0,63}.`);
      if (queue.length >= maxQueue) {
        dropped++;
        return false;
      }
      queue.push({ id: randomUUID(), type, occurredAt: new Date().toISOString(), data });
      void pump();
      return true;
    },
    async flush() {
      while (queue.length || running) await (running ?? pump());
    },
    async close() {
      closed = true;
      await this.flush();
    },
    get dropped() {
      return dropped;
    },
  };
}
