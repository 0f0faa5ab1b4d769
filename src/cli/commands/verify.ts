import { readFileSync } from "node:fs";
import { chainKeyResolver } from "../../chain/chainKeyResolver.ts";
import { BaseError } from "../../errors/BaseError.ts";
import { memoryNonceStore } from "../../nonces/memoryNonceStore.ts";
import { createVerifier } from "../../verifier/createVerifier.ts";
import { staticKeyResolver } from "../../verifier/staticKeyResolver.ts";
import type { KeyResolver } from "../../verifier/types.ts";
import { CliError, usageError } from "../CliError.ts";
import type { Command } from "../command.ts";
import { connectChain } from "../connectChain.ts";
import { exitCodes } from "../exitCodes.ts";
import { loadKeyFile } from "../keyFile.ts";
import { toJson } from "../output.ts";
import { parseList, parseNonNegativeInteger, parseTime } from "../parse.ts";
import { parseRawRequest, type RawRequest, RawRequestError, rawRequestUrl } from "../../http/parseRawRequest.ts";

export const verify: Command = {
  name: "verify",
  summary: "judge a raw HTTP request read from stdin: prints the verifier's verdict as JSON",
  usage: ["verify --key <public keyfile> [--scopes <names>] < request.http", "verify [--rpc <url>] [--manifest <file>] [--scopes <names>] < request.http"],
  description: [
    "Reads one HTTP/1.1 request (request line, headers, blank line, body) from stdin and runs",
    "the KeyLedger verifier on it: against the registry on chain (default), or against one",
    "key file (--key; its private part is not needed). Exit code 0 when accepted, 1 when",
    "rejected (the verdict's reason says why). A fresh nonce store is used: replays across",
    "runs are not detected.",
  ],
  options: {
    key: { type: "string", value: "<keyfile>", description: "judge against this key instead of the chain (a public-only key file is enough)" },
    "key-scopes": { type: "string", value: "<names>", description: "scopes the --key holds (default: the ones --scopes requires)" },
    scopes: { type: "string", value: "<names>", description: "scopes the route requires, e.g. trade" },
    scheme: { type: "string", value: "<http|https>", description: "scheme the request was sent with (default https)" },
    at: { type: "string", value: "<time>", description: "judge as of this time (unix seconds or ISO 8601; default now)" },
    "max-age": { type: "string", value: "<seconds>", description: "oldest accepted signature, 1..300 (default 60)" },
  },
  groups: ["chain"],
  maxPositionals: 0,
  examples: [
    "keyledger verify --key bot.pub.json --scopes read < captured.http",
    "keyledger verify --rpc http://127.0.0.1:8545 --scopes trade < captured.http && echo accepted",
  ],
  async run({ values, out }) {
    const scheme = typeof values.scheme === "string" ? values.scheme : "https";
    if (scheme !== "http" && scheme !== "https") throw usageError('verify: --scheme must be "http" or "https".');
    const requiredScopes = parseList(values.scopes);
    const atMs = typeof values.at === "string" ? parseTime(values.at, "--at", Math.floor(Date.now() / 1000)) * 1000 : undefined;
    const maxAgeSeconds = typeof values["max-age"] === "string" ? parseNonNegativeInteger(values["max-age"], "--max-age") : undefined;
    let raw: RawRequest;
    let url: string;
    try {
      raw = parseRawRequest(readFileSync(0));
      url = rawRequestUrl({ raw, scheme });
    } catch (error) {
      if (error instanceof RawRequestError) throw usageError(`verify: ${error.shortMessage}`);
      throw error;
    }

    let keys: KeyResolver;
    if (typeof values.key === "string") {
      const key = await loadKeyFile({ path: values.key, needPrivateKey: false });
      const keyScopes = typeof values["key-scopes"] === "string" ? parseList(values["key-scopes"]) : requiredScopes;
      keys = staticKeyResolver({ [key.keyId]: { alg: key.alg, publicKey: key.publicKey, scopes: keyScopes, label: key.label } });
    } else {
      const context = await connectChain({ values });
      const resolver = chainKeyResolver({ manifest: context.manifest, client: context.client });
      try {
        await resolver.ready();
      } catch (error) {
        await resolver.close();
        throw new CliError(`Cannot index the registry: ${error instanceof BaseError ? error.shortMessage : (error as Error).message}`, {
          exitCode: exitCodes.network,
          code: "chain-index",
        });
      }
      keys = resolver;
    }
    const now = atMs === undefined ? Date.now : () => atMs;
    let verifier: ReturnType<typeof createVerifier>;
    try {
      verifier = createVerifier({ keys, nonces: memoryNonceStore({ maxEntries: 16, now }), now, maxAgeSeconds });
    } catch (error) {
      throw usageError(`verify: ${error instanceof BaseError ? error.shortMessage : (error as Error).message}`);
    }
    try {
      const verdict = await verifier.verify({ method: raw.method, url, headers: raw.headers, body: raw.body }, { requiredScopes });
      process.stdout.write(`${toJson(verdict, out.json ? undefined : 2)}\n`);
      return verdict.ok ? exitCodes.ok : exitCodes.rejected;
    } finally {
      await verifier.close();
    }
  },
};
