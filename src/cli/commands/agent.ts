import { type RotationAction, type RotationSchedule, rotateDueKeys, startRotationAgent } from "../../agent/index.ts";
import { BaseError } from "../../errors/BaseError.ts";
import { usageError } from "../CliError.ts";
import { type Command, requireString } from "../command.ts";
import { connectChain } from "../connectChain.ts";
import { exitCodes } from "../exitCodes.ts";
import { loadWallet } from "../loadWallet.ts";
import { formatDuration, formatTime, parseDuration } from "../parse.ts";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadKeyFile } from "../keyFile.ts";
import { passphraseForReading } from "../keyPassphrase.ts";
import { createWebhookSender, type WebhookSender } from "../../webhooks/index.ts";

export const agent: Command = {
  name: "agent",
  summary: "rotate the keys of a directory on a schedule, as their owner (runs until Ctrl-C, or once)",
  usage: ["agent --dir <keydir> (--rotate-every <duration> | --rotate-at <share>) --overlap <duration> [--lifetime <duration>] [--interval <duration>] [--once]"],
  description: [
    "Watches the key files in --dir. A key that is its lineage's live head, owned by the wallet",
    "(or by an owner that appointed the wallet its rotator with setRotator),",
    "is rotated once it is --rotate-every old or --rotate-at of its lifetime has passed (by chain",
    "time), to a new key of the same algorithm, label and scopes; the old one stays valid for",
    "--overlap. The new private key is written (0600) to <oldKeyId>.rotation.pending before the",
    "transaction is sent and renamed to <label>.v<version>.key.json once it is mined, so a crash",
    "never loses a registered key; the next pass finishes what a crash left. A signer reading the",
    "directory (createSignedFetch with keyDirectory) switches to the new version without a restart.",
    "One line (NDJSON with --json) per rotation, failure or set-aside pending key; --once also",
    "prints keys that are not due yet.",
  ],
  options: {
    dir: { type: "string", value: "<keydir>", description: "directory of key files (*.json) to manage" },
    "rotate-every": { type: "string", value: "<duration>", description: "rotate a version this long after its notBefore: 30d, 12h" },
    "rotate-at": { type: "string", value: "<share>", description: "rotate once this share of a version's lifetime has passed: 0.8 or 80%" },
    overlap: { type: "string", value: "<duration>", description: "how long the old version stays valid (capped by policy)" },
    lifetime: { type: "string", value: "<duration>", description: "lifetime of new versions (default: the old version's, capped by policy)" },
    interval: { type: "string", value: "<duration>", description: "time between passes (default 60s)" },
    once: { type: "boolean", description: "one pass, then exit (exit code 1 if any rotation failed)" },
    webhook: { type: "string", value: "<url>", description: "also POST each rotation, failure and set-aside key there, signed (RFC 9421) with --webhook-key" },
    "webhook-key": { type: "string", value: "<keyfile>", description: "the key that signs webhook requests (receivers verify with its public key)" },
  },
  groups: ["chain", "wallet"],
  maxPositionals: 0,
  examples: [
    "keyledger agent --dir ./keys --rotate-every 30d --overlap 1h --keystore owner.json",
    "keyledger agent --dir ./keys --rotate-at 80% --overlap 1d --once --json",
  ],
  async run({ values, out }) {
    const directory = requireString(values, "dir", "agent");
    const schedule = parseSchedule(values["rotate-every"], values["rotate-at"]);
    const overlapSeconds = parseDuration(requireString(values, "overlap", "agent"), "--overlap");
    const lifetimeSeconds = typeof values.lifetime === "string" ? parseDuration(values.lifetime, "--lifetime") : undefined;
    const intervalMs = (typeof values.interval === "string" ? parseDuration(values.interval, "--interval") : 60) * 1000;
    if (intervalMs < 1000) throw usageError("agent: --interval must be at least 1s.");
    const context = await connectChain({ values });
    const wallet = await loadWallet({ values, context });
    const webhook = await openWebhook(values.webhook, values["webhook-key"]);
    // Encrypted key files in the directory need the passphrase; new versions are then encrypted with it too.
    const passphrase = directoryHasEncryptedKeys(directory) ? await passphraseForReading(directory) : undefined;
    const options = { directory, passphrase, publicClient: context.client, walletClient: wallet.client, registry: context.registry, schedule, overlapSeconds, lifetimeSeconds };

    let failed = false;
    const report = (action: RotationAction, includeNotDue: boolean) => {
      if (action.action === "failed") failed = true;
      if (action.action === "skipped" || action.action === "not-due") {
        if (action.action === "not-due" && includeNotDue) out.line(describe(action), action);
        return;
      }
      out.line(describe(action), action);
      webhook?.send(webhookTypes[action.action], { ...action, chainId: context.chain.id, registry: context.registry });
    };
    try {
      if (values.once) {
        for (const action of await rotateDueKeys(options)) report(action, true);
        await webhook?.close();
        return failed ? exitCodes.rejected : exitCodes.ok;
      }
      const running = startRotationAgent({
        ...options,
        intervalMs,
        onAction: (action) => report(action, false),
        onError: (error) => out.note(`warning: ${error instanceof BaseError ? error.shortMessage : (error as Error).message} (retrying next pass)`),
      });
      out.note(`agent: managing ${directory} as ${wallet.address} on chain ${context.chain.id}, a pass every ${formatDuration(intervalMs / 1000)} (Ctrl-C to stop)`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await running.stop();
      await webhook?.close();
      return exitCodes.ok;
    } catch (error) {
      if (error instanceof BaseError && error.name === "InvalidAgentOptionError") throw usageError(error.shortMessage);
      throw error;
    }
  },
};

function directoryHasEncryptedKeys(directory: string): boolean {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return false; // The agent's own option check reports a missing directory.
  }
  return names
    .filter((n) => n.endsWith(".json") || n.endsWith(".rotation.pending"))
    .some((n) => {
      try {
        return readFileSync(join(directory, n), "utf8").includes('"encryptedPrivateKey"');
      } catch {
        return false;
      }
    });
}

const webhookTypes = { rotated: "agent.key-rotated", failed: "agent.rotation-failed", abandoned: "agent.pending-key-set-aside" } as const;

async function openWebhook(url: unknown, keyPath: unknown): Promise<WebhookSender | undefined> {
  if (url === undefined && keyPath === undefined) return undefined;
  if (typeof url !== "string" || typeof keyPath !== "string") throw usageError("agent: --webhook and --webhook-key go together.");
  const key = await loadKeyFile({ path: keyPath, needPrivateKey: true });
  try {
    return createWebhookSender({ url, key, onDelivery: (d) => d.delivered || process.stderr.write(`warning: webhook ${d.event.type} not delivered: ${d.error}\n`) });
  } catch (error) {
    throw usageError(`agent: ${(error as BaseError).shortMessage ?? (error as Error).message}`);
  }
}

function parseSchedule(every: unknown, at: unknown): RotationSchedule {
  if (typeof every === "string" && typeof at === "string") throw usageError("agent: pass either --rotate-every or --rotate-at, not both.");
  if (typeof every === "string") return { everySeconds: parseDuration(every, "--rotate-every") };
  if (typeof at === "string") {
    const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(at.trim());
    const share = match ? Number(match[1]) / (match[2] ? 100 : 1) : Number.NaN;
    if (!(share > 0 && share < 1)) throw usageError(`agent: --rotate-at "${at}" must be a share of the lifetime between 0 and 1 (0.8) or 0% and 100% (80%).`);
    return { lifetimeFraction: share };
  }
  throw usageError("agent: pass --rotate-every <duration> or --rotate-at <share>.");
}

function describe(action: RotationAction): string {
  switch (action.action) {
    case "rotated":
      return `rotated ${action.oldKeyId} -> ${action.keyId} (version ${action.version}${action.resumed ? ", finishing an interrupted rotation" : ""}); old valid until ${formatTime(action.oldExpiresAt)}; new key file ${action.file}`;
    case "not-due":
      return `not due ${action.keyId} (version ${action.version}) until ${formatTime(action.dueAt)}`;
    case "abandoned":
      return `set aside pending key ${action.keyId} for ${action.oldKeyId}: ${action.reason} (kept in ${action.file})`;
    case "failed":
      return `FAILED ${action.keyId ?? action.file ?? ""}: ${action.error}${action.pendingFile ? ` (new key kept in ${action.pendingFile}; the next pass retries)` : ""}`;
    case "skipped":
      return `skipped ${action.keyId}: ${action.reason}`;
  }
}
