// Which clock judges key windows: on a dev chain moved a day ahead (evm_increaseTime +
// a mined block, the dApp's "+1 d"), the API with `clock: "chain"` (what `npm start`
// runs) refuses a key that expired on chain; the default wall clock still accepts it
// until the machine's time reaches the expiry. Signature freshness stays on the wall
// clock in both, so requests signed with the signer's own time keep working.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChainClock, startApiServer, type StartApiServerReturnType } from "../../src/server/index.ts";
import { signRequest } from "../../src/signer/index.ts";
import type { KeyFile } from "../../src/keys/index.ts";
import { localClients } from "../helpers/clients.ts";
import { devAccounts, increaseTime, type LocalNode, startLocalNode } from "../helpers/localNode.ts";
import { registerKey } from "../helpers/registerKey.ts";

let node: LocalNode;
let chainApi: StartApiServerReturnType;
let wallApi: StartApiServerReturnType;

beforeAll(async () => {
  node = await startLocalNode();
  [chainApi, wallApi] = await Promise.all([
    startApiServer({ rpcUrl: node.rpcUrl, manifest: node.manifest, port: 0, clock: "chain" }),
    startApiServer({ rpcUrl: node.rpcUrl, manifest: node.manifest, port: 0 }),
  ]);
}, 120_000);

afterAll(async () => {
  await chainApi?.close();
  await wallApi?.close();
  await node?.stop();
});

const get = async (api: StartApiServerReturnType, key: KeyFile) => {
  const response = await fetch(await signRequest(new Request(`${api.url}/v1/prices`), { key }));
  return { status: response.status, error: ((await response.json()) as { error?: string }).error };
};
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

describe("API key windows by the chain's clock", () => {
  it("refuses a key expired on chain after time travel; the wall clock does not see it", async () => {
    const { publicClient } = localClients(node.rpcUrl);
    const wallNow = Math.floor(Date.now() / 1000);
    const chainNow = Number((await publicClient.getBlock()).timestamp);
    // Valid for an hour from the later of the two clocks.
    const { key } = await registerKey({
      rpcUrl: node.rpcUrl,
      manifest: node.manifest,
      owner: devAccounts[3],
      label: "clock-test",
      notBefore: Math.min(wallNow, chainNow) - 60,
      expiresAt: Math.max(wallNow, chainNow) + 3_600,
    });
    expect(await until(() => get(chainApi, key), (r) => r.status === 200)).toMatchObject({ status: 200 });
    expect(await until(() => get(wallApi, key), (r) => r.status === 200)).toMatchObject({ status: 200 });

    await increaseTime(node.rpcUrl, 86_400);

    expect(await until(() => get(chainApi, key), (r) => r.status !== 200)).toEqual({ status: 401, error: "key-expired" });
    expect(await get(wallApi, key)).toMatchObject({ status: 200 });
  });

  it("createChainClock follows the latest block and runs on between blocks", async () => {
    const { publicClient } = localClients(node.rpcUrl);
    const clock = createChainClock({ rpcUrl: node.rpcUrl, pollingIntervalMs: 50 });
    try {
      await clock.ready();
      const block = Number((await publicClient.getBlock()).timestamp) * 1000;
      const read = clock.now();
      expect(read).toBeGreaterThanOrEqual(block);
      expect(read - block).toBeLessThan(5_000);
      expect(read - Date.now()).toBeGreaterThan(86_000_000);
      await new Promise((r) => setTimeout(r, 200));
      expect(clock.now()).toBeGreaterThan(read);
    } finally {
      clock.close();
    }
  });
});
