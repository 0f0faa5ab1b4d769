// The read path's real stack for the owner view test and benchmark: a hardhat node
// with the contracts deployed (optionally seeded with other owners' keys), the real
// Ponder indexer on PGlite, and the real dApp server proxying it as /indexer.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Address, Hex } from "viem";
import { startIndexer, type StartIndexerReturnType } from "../../scripts/dev/startIndexer.ts";
import { seedKeys } from "../../scripts/seed/seedKeys.ts";
import { startWebServer, type StartWebServerReturnType } from "../../web/server.ts";
import { devAccounts, type LocalNode, startLocalNode } from "./localNode.ts";
import { registerKey } from "./registerKey.ts";

export type StartOwnerViewStackParameters = {
  /** Keys of other owners registered first (`npm run seed`'s code). */
  otherKeys: number;
  /** Keys registered for `owner` after them. */
  ownerKeys: number;
  log?: ((line: string) => void) | undefined;
};

export type OwnerViewStack = {
  node: LocalNode;
  indexer: StartIndexerReturnType;
  web: StartWebServerReturnType;
  owner: Address;
  ownerKeyIds: Hex[];
  /** Starts the indexer again (after `indexer.stop()`), on the same port and database. */
  restartIndexer(): Promise<void>;
  stop(): Promise<void>;
};

const root = fileURLToPath(new URL("../..", import.meta.url));
/** The owner of the few keys: a dev account the seed does not use. */
export const ownerViewOwner = devAccounts[19];

export async function startOwnerViewStack({ otherKeys, ownerKeys, log = () => {} }: StartOwnerViewStackParameters): Promise<OwnerViewStack> {
  const node = await startLocalNode();
  const stops: (() => Promise<unknown>)[] = [() => node.stop()];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    if (otherKeys > 0) {
      log(`seeding ${otherKeys} keys of other owners`);
      // gap 0: the seed's empty blocks (hardhat_mine) make Ponder 0.16 report an
      // "unrecoverable reorg beyond finalized block" on a hardhat node, and it stops following.
      await seedKeys({ rpcUrl: node.rpcUrl, manifest: node.manifest, keys: otherKeys, owners: devAccounts.slice(0, 19), gap: 0 });
    }
    const ownerKeyIds: Hex[] = [];
    for (let i = 0; i < ownerKeys; i++) {
      ownerKeyIds.push((await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner: ownerViewOwner, label: `owner-key-${i + 1}` })).keyId);
    }
    // Ponder indexes the last 30 blocks (its finality window on an unknown chain) one
    // block at a time, ~1-3 s per 100 registrations here; mined past, they are backfilled in bulk.
    for (let i = 0; i < 32; i++) await rpc(node.rpcUrl, "evm_mine");
    log("starting the indexer (PGlite)");
    const indexerOptions = {
      root,
      rpcUrl: node.rpcUrl,
      manifestPath: node.manifestPath,
      pgliteDirectory: join(node.dir, "pglite"),
      logFile: join(node.dir, "indexer.log"),
      readyTimeoutMs: 300_000,
    };
    let indexer = await startIndexer(indexerOptions);
    await caughtUp(node.rpcUrl, indexer.url);
    let stopIndexer = () => indexer.stop();
    stops.push(() => stopIndexer());
    // A running indexer has answered queries before: its first SQL query loads a SQL parser (~1 s).
    await fetch(`${indexer.url}/sql/db?sql=${encodeURIComponent(JSON.stringify({ json: { sql: "select 1 from keys limit 1", params: [], typings: [] } }))}`).catch(() => undefined);
    const web = await startWebServer({ manifestPath: node.manifestPath, rpcUrl: node.rpcUrl, indexerUrl: indexer.url });
    stops.push(() => web.close());
    const stack: OwnerViewStack = {
      node,
      indexer,
      web,
      owner: ownerViewOwner,
      ownerKeyIds,
      async restartIndexer() {
        indexer = await startIndexer({ ...indexerOptions, port: indexer.port });
        await caughtUp(node.rpcUrl, indexer.url);
        stack.indexer = indexer;
        stopIndexer = () => indexer.stop();
      },
      stop: stopAll,
    };
    return stack;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  return ((await response.json()) as { result: unknown }).result;
}

/** Waits until the indexer's head (`/status`) reaches the chain's head. */
export async function caughtUp(rpcUrl: string, indexerUrl: string, timeoutMs = 300_000): Promise<void> {
  const head = Number(await rpc(rpcUrl, "eth_blockNumber"));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = (await fetch(`${indexerUrl}/status`).then((r) => r.json(), () => ({}))) as Record<string, { block?: { number?: number } }>;
    if ((Object.values(status)[0]?.block?.number ?? -1) >= head) return;
    if (Date.now() > deadline) throw new Error(`The indexer did not reach block ${head} within ${timeoutMs} ms.`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
