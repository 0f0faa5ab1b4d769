import { readFileSync, statSync } from "node:fs";
import { type Account, type Address, type Chain, createWalletClient, type Hex, http, isHex, type Transport, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { CliError, usageError } from "./CliError.ts";
import { type CommandValues, redactSecret } from "./command.ts";
import type { ChainContext } from "./connectChain.ts";
import { exitCodes } from "./exitCodes.ts";
import { explainError } from "./explainError.ts";
import { decryptKeystore } from "./keystore.ts";
import { parseNonNegativeInteger } from "./parse.ts";
import { readSecret } from "./readSecret.ts";

export type Wallet = {
  client: WalletClient<Transport, Chain, Account>;
  address: Address;
  /** Where the key came from, for messages (never the key itself). */
  source: string;
};

function keyError(message: string, metaMessages?: string[]): CliError {
  return new CliError(message, { exitCode: exitCodes.keyFile, code: "wallet", metaMessages });
}

/**
 * The wallet that signs transactions, from (first match wins) --dev-account,
 * --keystore or $KEYLEDGER_PRIVATE_KEY. Never from argv: parseCommand refuses
 * secret-looking flags before we get here.
 */
export async function loadWallet({ values, context }: { values: CommandValues; context: ChainContext }): Promise<Wallet> {
  const transport = http(context.rpcUrl, { retryCount: 1, timeout: 30_000 });
  const dev = values["dev-account"];
  if (typeof dev === "string" && typeof values.keystore === "string") throw usageError("Pass either --dev-account or --keystore, not both.");
  if (typeof dev === "string") {
    const index = parseNonNegativeInteger(dev, "--dev-account");
    let accounts: Address[];
    try {
      accounts = await createWalletClient({ chain: context.chain, transport }).getAddresses();
    } catch (error) {
      throw explainError(error, { rpcUrl: context.rpcUrl });
    }
    const address = accounts[index];
    if (!address) {
      throw keyError(`The node has ${accounts.length} unlocked accounts; --dev-account ${index} does not exist.`, [
        "--dev-account only works with a local dev node (hardhat node); elsewhere use --keystore or KEYLEDGER_PRIVATE_KEY.",
      ]);
    }
    const client = createWalletClient({ account: address, chain: context.chain, transport });
    return { client, address, source: `dev account ${index}` };
  }
  let privateKey: Hex;
  let source: string;
  const keystore = values.keystore;
  if (typeof keystore === "string") {
    privateKey = await readKeystore(keystore);
    source = `keystore ${keystore}`;
  } else if (process.env.KEYLEDGER_PRIVATE_KEY) {
    privateKey = normalizeKey(process.env.KEYLEDGER_PRIVATE_KEY.trim(), "KEYLEDGER_PRIVATE_KEY");
    source = "KEYLEDGER_PRIVATE_KEY";
  } else {
    throw keyError("This command sends a transaction and needs a wallet.", [
      "Set KEYLEDGER_PRIVATE_KEY, or pass --keystore <file>, or --dev-account <n> on a local dev node.",
    ]);
  }
  let account: ReturnType<typeof privateKeyToAccount>;
  try {
    account = privateKeyToAccount(privateKey);
  } catch {
    // The library's message may quote the value: say only where it came from.
    throw keyError(`${source} does not hold a valid secp256k1 private key.`);
  }
  const client = createWalletClient({ account, chain: context.chain, transport });
  return { client, address: account.address, source };
}

function normalizeKey(text: string, where: string): Hex {
  const key = text.startsWith("0x") ? text : `0x${text}`;
  if (!isHex(key) || key.length !== 66) throw keyError(`${where} does not hold a 32-byte hex private key.`);
  return key as Hex;
}

async function readKeystore(path: string): Promise<Hex> {
  let mode: number;
  let text: string;
  try {
    mode = statSync(path).mode;
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw keyError(`Cannot read keystore ${redactSecret(path)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, [
      "--keystore takes a file name; the key itself goes in the file or in KEYLEDGER_PRIVATE_KEY.",
    ]);
  }
  if (mode & 0o077) {
    throw keyError(`Refusing keystore ${path}: it is readable or writable by group or others (mode ${(mode & 0o777).toString(8)}).`, [
      `Run: chmod 600 ${path}`,
    ]);
  }
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) return normalizeKey(trimmed, `Keystore ${path}`);
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    throw keyError(`Keystore ${path} is neither JSON nor a hex private key.`);
  }
  const password = process.env.KEYLEDGER_KEYSTORE_PASSWORD ?? (await readSecret(`Password for ${path}: `));
  if (password === undefined) {
    throw keyError(`Keystore ${path} is encrypted: set KEYLEDGER_KEYSTORE_PASSWORD or run in a terminal to be asked.`);
  }
  return decryptKeystore({ json, password });
}
