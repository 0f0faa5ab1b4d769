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
      await seedKeys({ rpcUrl: node.rpcUrl, manifest: node.manifest, keys: otherKeys, owners: devAccounts.slice(0, 19) });
    }
    const ownerKeyIds: Hex[] = [];
    for (let i = 0; i < ownerKeys; i++) {
      ownerKeyIds.push((await registerKey({ rpcUrl: node.rpcUrl, manifest: node.manifest, owner: ownerViewOwner, label: `owner-key-${i + 1}` })).keyId);
    }
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
    let stopIndexer = () => indexer.stop();
    stops.push(() => stopIndexer());
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
