import { type Address, getAddress, type Hex } from "viem";
import {
  type ContractName,
  contractNames,
  type DeploymentManifest,
  InvalidManifestError,
  validateManifest,
} from "../../../src/chain/validateManifest.ts";

export type Runtime = {
  rpcUrl: string;
  /** Base URL of the reference API (its /metrics and verify endpoint), or null when none is configured. */
  apiUrl: string | null;
  /**
   * The URL requests to `apiUrl` are signed for (the API judges @authority and @path
   * as it receives them, behind the dApp server's proxy); `apiUrl` itself when the
   * page talks to the API directly. Null without an API.
   */
  apiSigningUrl: string | null;
  /** Base URL of the Ponder indexer (SQL over HTTP at `${indexerUrl}/sql`, head at `/status`), or null. */
  indexerUrl: string | null;
  /** The API answers `POST /v1/verify-request` with a verdict for a raw request. */
  verifyRequest: boolean;
  /**
   * The API relays signed registry operations (`POST /v1/relay`): the page offers "Sign,
   * let the API pay" (an EIP-712 signature instead of a transaction; the relayer pays the gas).
   */
  relay: boolean;
  chainId: number;
  deploymentBlock: bigint;
  deploymentBlockHash: Hex;
  addresses: Record<ContractName, Address>;
  governanceParams: DeploymentManifest["governance"] | undefined;
};

export type LoadRuntimeParameters = { baseUrl: string; fetch?: typeof fetch | undefined };

/**
 * Reads `config.json` and the deployment manifest it points to, next to the page:
 * the same bundle serves any chain. Fails with a message that says what is missing.
 */
export async function loadRuntime({ baseUrl, fetch: fetchFn = fetch }: LoadRuntimeParameters): Promise<Runtime> {
  const config = (await getJson(fetchFn, new URL("config.json", baseUrl), "the dApp configuration")) as {
    rpcUrl?: unknown;
    apiUrl?: unknown;
    apiSigningUrl?: unknown;
    indexerUrl?: unknown;
    manifestUrl?: unknown;
    verifyRequest?: unknown;
    relay?: unknown;
  };
  if (typeof config.rpcUrl !== "string") throw new Error("config.json has no rpcUrl.");
  const manifestUrl = new URL(typeof config.manifestUrl === "string" ? config.manifestUrl : "deployment.json", baseUrl);
  const m = toManifest(await getJson(fetchFn, manifestUrl, "the deployment manifest"));
  const apiUrl = typeof config.apiUrl === "string" && config.apiUrl ? new URL(config.apiUrl, baseUrl).href.replace(/\/$/, "") : null;
  const apiSigningUrl =
    apiUrl === null ? null : typeof config.apiSigningUrl === "string" && config.apiSigningUrl ? new URL(config.apiSigningUrl, baseUrl).href.replace(/\/$/, "") : apiUrl;
  const indexerUrl = typeof config.indexerUrl === "string" && config.indexerUrl ? new URL(config.indexerUrl, baseUrl).href.replace(/\/$/, "") : null;
  return {
    rpcUrl: new URL(config.rpcUrl, baseUrl).href,
    apiUrl,
    apiSigningUrl,
    indexerUrl,
    verifyRequest: apiUrl !== null && config.verifyRequest === true,
    relay: apiUrl !== null && config.relay === true,
    chainId: m.chainId,
    deploymentBlock: BigInt(m.deploymentBlock),
    deploymentBlockHash: m.deploymentBlockHash,
    addresses: Object.fromEntries(contractNames.map((n) => [n, getAddress(m.contracts[n].address)])) as Record<ContractName, Address>,
    governanceParams: m.governance,
  };
}

/** `validateManifest`, with its problems restated as the field names they concern. */
function toManifest(json: unknown): DeploymentManifest {
  try {
    return validateManifest(json);
  } catch (error) {
    if (!(error instanceof InvalidManifestError)) throw error;
    const fields = error.metaMessages?.map((line) => line.replace(/^- /, "").split(" ")[0]) ?? [];
    throw new Error(fields.length ? `The deployment manifest is invalid: ${fields.join(", ")}.` : `The deployment manifest is invalid: ${error.shortMessage}`);
  }
}

async function getJson(fetchFn: typeof fetch, url: URL, what: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetchFn(url, { cache: "no-store" });
  } catch {
    throw new Error(`Could not load ${what} from ${url.href}.`);
  }
  if (!response.ok) {
    const hint = response.status === 404 && what.includes("manifest") ? " Deploy the contracts first (npm start does it)." : "";
    throw new Error(`Could not load ${what} from ${url.href} (HTTP ${response.status}).${hint}`);
  }
  try {
    return await response.json();
  } catch {
    throw new Error(`${what[0]!.toUpperCase()}${what.slice(1)} at ${url.href} is not JSON.`);
  }
}
