// The signing request against a real Safe 1.5 (safe-smart-account's published artifacts on
// a Hardhat node): readSafe reads its owners and threshold, two owners sign the request's
// SafeMessage on the node (eth_signTypedData_v4, as the page's wallets do), and the Safe's
// own ERC-1271 isValidSignature accepts the assembled signature for the registry's digest.
import type { Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localClients } from "../../../../test/helpers/clients.ts";
import { devAccounts, type LocalNode, startLocalNode } from "../../../../test/helpers/localNode.ts";
import { createSafe, deploySafeInfrastructure } from "../../../../test/helpers/safe.ts";
import { addSafeSignature } from "./addSafeSignature.ts";
import { assembleSafeSignature } from "./assembleSafeSignature.ts";
import { createSafeSigningRequest } from "./createSafeSigningRequest.ts";
import { readSafe } from "./readSafe.ts";
import { erc1271MagicValue, safeAbi } from "./safeAbi.ts";
import { safeMessageTypedData } from "./safeMessageTypedData.ts";

let node: LocalNode;
let safe: Address;
const owners = [devAccounts[13], devAccounts[14], devAccounts[15]];

beforeAll(async () => {
  node = await startLocalNode();
  const infra = await deploySafeInfrastructure(node.rpcUrl, devAccounts[16]);
  safe = await createSafe(node.rpcUrl, infra, { owners, threshold: 2, from: devAccounts[16] });
}, 120_000);

afterAll(async () => {
  await node?.stop();
});

describe("a signing request for a real 2-of-3 Safe 1.5", () => {
  it("reads the Safe, and the Safe accepts two owners' assembled signature (ERC-1271); one alone it refuses", async () => {
    const { publicClient, walletClient } = localClients(node.rpcUrl);
    const read = await readSafe({ client: publicClient as never, safe });
    expect(read).toMatchObject({ ok: true, threshold: 2, version: "1.5.0" });
    if (!read.ok) return;
    expect(read.owners.map((o) => o.toLowerCase())).toEqual(owners.map((o) => o.toLowerCase()));

    let request = createSafeSigningRequest({
      chainId: 31337,
      registry: node.manifest.contracts.KeyRegistry.address,
      safe,
      owners: read.owners,
      threshold: read.threshold,
      nonce: 0n,
      deadline: 2n ** 40n,
      operation: { operation: "setRotator", rotator: devAccounts[3] },
    });
    for (const owner of [owners[2]!, owners[0]!]) {
      const signature = await walletClient.signTypedData({ account: owner, ...safeMessageTypedData({ chainId: 31337, safe, message: request.registryDigest }) });
      const added = await addSafeSignature({ request, owners: read.owners, signature });
      if (!added.ok) throw new Error(added.message);
      request = added.request;
    }
    const isValid = (signature: `0x${string}`) => publicClient.readContract({ address: safe, abi: safeAbi, functionName: "isValidSignature", args: [request.registryDigest, signature] });
    expect(await isValid(assembleSafeSignature({ request, threshold: 2 }).signature)).toBe(erc1271MagicValue);
    // Unsorted, the Safe refuses (GS026): the order is the assembler's job.
    await expect(isValid(`0x${request.signatures.map((s) => s.signature.slice(2)).join("")}` as `0x${string}`)).rejects.toThrow(/GS026/);
    await expect(isValid(request.signatures[0]!.signature)).rejects.toThrow(/GS020/);
    // Not a Safe: an ordinary account, and the registry (a contract without getOwners).
    expect(await readSafe({ client: publicClient as never, safe: owners[0]! })).toMatchObject({ ok: false, message: expect.stringContaining("has no code on this chain") });
    expect(await readSafe({ client: publicClient as never, safe: node.manifest.contracts.KeyRegistry.address })).toMatchObject({ ok: false, message: expect.stringContaining("is a contract but not a Safe") });
  });
});
