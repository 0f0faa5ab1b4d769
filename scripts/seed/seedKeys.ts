import { type Address, createPublicClient, encodeFunctionData, type Hex, http, parseEventLogs, toHex } from "viem";
import type { DeploymentManifest } from "../../src/chain/manifest.ts";
import { BaseError } from "../../src/errors/BaseError.ts";
import { keyRegistryAbi } from "../../src/generated/abis.ts";
import { algorithmToChain, computeKeyId, defaultNotBefore, generateKey, publicKeyToRaw, signProofOfPossession } from "../../src/keys/index.ts";

export type SeedKeysParameters = {
  rpcUrl: string;
  manifest: DeploymentManifest;
  /** Keys to register (>= 1). */
  keys: number;
  /** Unlocked dev accounts that register (and own) the keys, round-robin. */
  owners: readonly Address[];
  /** Registrations per mined block. Default 100. */
  perBlock?: number | undefined;
  /** Empty blocks mined after each block of registrations (spreads the keys over more blocks). Default 10. */
  gap?: number | undefined;
  log?: ((line: string) => void) | undefined;
};

export type SeedKeysReturnType = {
  keys: number;
  keyIds: Hex[];
  firstBlock: number;
  lastBlock: number;
  seconds: number;
};

/**
 * Fills a local (Hardhat) chain with `keys` registered Ed25519 keys, each with a real
 * proof of possession signed by the key for its owner. Automine is switched off
 * while transactions are sent in JSON-RPC batches with locally counted nonces and a
 * fixed gas limit (no estimate per transaction); each block is mined explicitly with
 * `evm_mine` (then `gap` empty blocks with `hardhat_mine`), and automine is restored.
 * Checks at the end that every registration succeeded (one KeyRegistered each).
 */
export async function seedKeys({ rpcUrl, manifest, keys, owners, perBlock = 100, gap = 10, log = () => {} }: SeedKeysParameters): Promise<SeedKeysReturnType> {
  if (!Number.isSafeInteger(keys) || keys < 1) throw new BaseError(`seedKeys: keys must be a whole number >= 1, got ${String(keys)}.`);
  if (!Number.isSafeInteger(perBlock) || perBlock < 1) throw new BaseError(`seedKeys: perBlock must be a whole number >= 1, got ${String(perBlock)}.`);
  if (!Number.isSafeInteger(gap) || gap < 0) throw new BaseError(`seedKeys: gap must be a whole number >= 0, got ${String(gap)}.`);
  if (!owners.length) throw new BaseError("seedKeys: at least one owner account is needed.");
  const started = performance.now();
  const client = createPublicClient({ transport: http(rpcUrl, { batch: { batchSize: 200, wait: 0 }, timeout: 60_000, retryCount: 0 }) });
  const request = client.request as unknown as (args: { method: string; params?: unknown[] }) => Promise<unknown>;
  const registry = manifest.contracts.KeyRegistry.address;
  const automine = (await request({ method: "hardhat_getAutomine" }).catch(() => {
    throw new BaseError(`seedKeys needs a Hardhat node (hardhat_getAutomine failed at ${rpcUrl}).`);
  })) as boolean;
  const head = await client.getBlock();
  // Valid now by both clocks (an automining chain can run ahead of the wall clock).
  const notBefore = defaultNotBefore({ chainNow: Number(head.timestamp) }) - 60;
  const expiresAt = Math.max(Number(head.timestamp), Math.floor(Date.now() / 1000)) + 180 * 86_400;
  const nonces = await Promise.all(owners.map((owner) => client.getTransactionCount({ address: owner, blockTag: "pending" })));

  async function registration(i: number): Promise<{ from: Address; data: Hex; keyId: Hex }> {
    const owner = owners[i % owners.length]!;
    const label = `seed-${i}`;
    const key = await generateKey({ alg: "ed25519", label });
    const proof = await signProofOfPossession({ key, chainId: manifest.chainId, registry, owner });
    const data = encodeFunctionData({
      abi: keyRegistryAbi,
      functionName: "register",
      args: [{ algorithm: algorithmToChain(key.alg), publicKey: toHex(publicKeyToRaw({ publicKey: key.publicKey }).raw), scopes: 0b11, notBefore, expiresAt, proof }, label],
    });
    return { from: owner, data, keyId: computeKeyId({ publicKey: key.publicKey, owner }) };
  }

  // One real estimate, with the longest label, then a margin: registrations all cost the same.
  const sample = await registration(keys - 1);
  const gas = ((await client.estimateGas({ account: sample.from, to: registry, data: sample.data })) * 13n) / 10n;
  const keyIds: Hex[] = [];
  const hashes: Hex[] = [];
  let firstBlock: number | undefined;
  await request({ method: "evm_setAutomine", params: [false] });
  try {
    for (let from = 0; from < keys; from += perBlock) {
      const batch = await Promise.all(Array.from({ length: Math.min(perBlock, keys - from) }, (_, j) => registration(from + j)));
      const sent = await Promise.all(
        batch.map(({ from: owner, data }) => {
          const o = owners.indexOf(owner);
          const nonce = nonces[o]!++;
          return request({ method: "eth_sendTransaction", params: [{ from: owner, to: registry, data, gas: toHex(gas), nonce: toHex(nonce) }] }) as Promise<Hex>;
        }),
      );
      await request({ method: "evm_mine" });
      if (gap) await request({ method: "hardhat_mine", params: [toHex(gap)] });
      firstBlock ??= Number((await client.getTransactionReceipt({ hash: sent[0]! })).blockNumber);
      for (const { keyId } of batch) keyIds.push(keyId);
      hashes.push(...sent);
      if (keyIds.length % 2_000 < perBlock) log(`seed: ${keyIds.length.toLocaleString("en-US")} / ${keys.toLocaleString("en-US")} keys`);
    }
  } finally {
    await request({ method: "evm_setAutomine", params: [automine] });
  }
  const lastBlock = Number(await client.getBlockNumber());
  // Every transaction mined and successful: one KeyRegistered per key id, none missing.
  const seen = new Set<string>();
  // Ranges of a few thousand logs: Hardhat caps an answer at 10 MB.
  const range = Math.max(1, Math.floor((2_000 * (gap + 1)) / perBlock));
  for (let at = firstBlock as number; at <= lastBlock; at += range) {
    const logs = await client.getLogs({ address: registry, fromBlock: BigInt(at), toBlock: BigInt(Math.min(lastBlock, at + range - 1)) });
    for (const e of parseEventLogs({ abi: keyRegistryAbi, logs, eventName: "KeyRegistered" })) seen.add(e.args.keyId.toLowerCase());
  }
  const missing = keyIds.filter((id) => !seen.has(id.toLowerCase()));
  if (missing.length) {
    const receipt = await client.getTransactionReceipt({ hash: hashes[keyIds.indexOf(missing[0]!)]! }).catch(() => undefined);
    throw new BaseError(`seedKeys: ${missing.length} of ${keys} registrations did not land.`, {
      details: `first missing ${missing[0]}: ${receipt ? `receipt status ${receipt.status}` : "no receipt"}`,
    });
  }
  return { keys, keyIds, firstBlock: firstBlock as number, lastBlock, seconds: (performance.now() - started) / 1000 };
}
