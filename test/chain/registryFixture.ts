import { network } from "hardhat";
import { type Address, createPublicClient, custom, getAddress, getContract, type Hex, type PublicClient, toHex } from "viem";
import { keyRegistryAbi } from "../../src/generated/abis.ts";
import { algorithmToChain, computeKeyId, type KeyFile, publicKeyToRaw, signProofOfPossession } from "../../src/keys/index.ts";

export const day = 86_400;
export const scopeNames = ["read", "trade", "withdraw", "admin"];

/**
 * Hardhat's in-process chain with a KeyRegistry deployed (account 0 is governance,
 * account 3 the guardian), and a public client whose every JSON-RPC call is counted
 * and can be made to fail, as when the node is unreachable (`countedClient`).
 */
export async function deployRegistry() {
  const connection = await network.create();
  const { viem, networkHelpers, provider } = connection;
  const [governance, owner, thief, guardian] = await viem.getWalletClients();
  const deployed = await viem.deployContract("KeyRegistry", [
    governance!.account.address,
    { maxLifetime: 365 * day, maxOverlap: 30 * day, maxSuspension: day, maxKeysPerOwner: 65_535, allowedAlgorithms: 0b1110, allowedScopes: 0x0f },
    scopeNames,
    [guardian!.account.address],
  ]);
  const chain = await viem.getPublicClient();
  // Typed with the generated ABI (what the library itself reads the registry with).
  const registry = getContract({ address: deployed.address, abi: keyRegistryAbi, client: { public: chain, wallet: governance! } });
  const deploymentBlock = Number(await chain.getBlockNumber());

  /** A client of its own for each resolver, so that polls of one do not count against another. */
  function countedClient() {
    const rpc = { calls: [] as string[], down: false };
    const client = createPublicClient({
      transport: custom(
        {
          async request({ method, params }: { method: string; params?: unknown }) {
            if (rpc.down) throw new Error("connect ECONNREFUSED 127.0.0.1:8545");
            rpc.calls.push(method);
            return provider.request({ method, params: params as never });
          },
        },
        { retryCount: 0 },
      ),
    }) as PublicClient;
    return { client, rpc };
  }

  async function send(hash: Promise<Hex>) {
    return chain.waitForTransactionReceipt({ hash: await hash });
  }

  type NewKeyOptions = { scopes?: number; notBefore?: number; lifetime?: number; proof?: Hex; publicKey?: Hex };

  async function newKey(key: KeyFile, from: Address, options: NewKeyOptions) {
    const now = await networkHelpers.time.latest();
    const notBefore = options.notBefore ?? now - 60;
    return {
      algorithm: algorithmToChain(key.alg),
      publicKey: options.publicKey ?? toHex(publicKeyToRaw({ publicKey: key.publicKey }).raw),
      scopes: options.scopes ?? 0b11,
      notBefore,
      expiresAt: notBefore + (options.lifetime ?? 90 * day),
      proof: options.proof ?? (await signProofOfPossession({ key, chainId: 31337, registry: registry.address, owner: from })),
    };
  }

  // Ids are namespaced per owner: after a registration or rotation the caller's key
  // object carries the registry's id (mutated in place, so tests keep one handle).
  async function register(key: KeyFile, options: NewKeyOptions & { from?: Address; label?: string } = {}) {
    const from = options.from ?? getAddress(owner!.account.address);
    const receipt = await send(registry.write.register([await newKey(key, from, options), options.label ?? key.label], { account: from }));
    if (receipt.status === "success" && !options.publicKey) key.keyId = computeKeyId({ publicKey: key.publicKey, owner: from });
    return { ...receipt, blockNumber: Number(receipt.blockNumber) };
  }

  async function rotate(oldKey: KeyFile, key: KeyFile, overlap: number, options: NewKeyOptions & { from?: Address } = {}) {
    const from = options.from ?? getAddress(owner!.account.address);
    const receipt = await send(registry.write.rotate([oldKey.keyId, await newKey(key, from, options), overlap], { account: from }));
    if (receipt.status === "success" && !options.publicKey) key.keyId = computeKeyId({ publicKey: key.publicKey, owner: from });
    return receipt;
  }

  return {
    connection,
    networkHelpers,
    provider,
    chain,
    countedClient,
    registry,
    deploymentBlock,
    accounts: {
      governance: getAddress(governance!.account.address),
      owner: getAddress(owner!.account.address),
      thief: getAddress(thief!.account.address),
      guardian: getAddress(guardian!.account.address),
    },
    send,
    newKey,
    register,
    rotate,
  };
}

export type RegistryFixture = Awaited<ReturnType<typeof deployRegistry>>;
