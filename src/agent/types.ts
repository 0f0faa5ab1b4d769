import type { Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from "viem";

/** When a key is due: a fixed age, or a share of its registered lifetime. */
export type RotationSchedule = { everySeconds: number } | { lifetimeFraction: number };

export type RotationAgentOptions = {
  /** Directory of key files (`*.json`, as `keyDirectory` reads them); new versions are written here. */
  directory: string;
  publicClient: PublicClient;
  /** Signs the `rotate` transactions: the keys' owner, or the rotator the owner appointed (`setRotator`). */
  walletClient: WalletClient<Transport, Chain, Account>;
  registry: Address;
  schedule: RotationSchedule;
  /** How long the old version stays valid after a rotation (capped by the policy's maxOverlap). */
  overlapSeconds: number;
  /**
   * Decrypts encrypted key files; new versions (and pending keys) are written
   * encrypted under it. Without it new versions are stored like plaintext key files (0600).
   */
  passphrase?: string | undefined;
  /** Lifetime of a new version. Default: the old version's, capped by the policy's maxLifetime. */
  lifetimeSeconds?: number | undefined;
};

/** What a pass did for one key or pending rotation. */
export type RotationAction =
  | {
      action: "rotated";
      oldKeyId: Hex;
      keyId: Hex;
      version: number;
      /** The new version's key file. */
      file: string;
      oldExpiresAt: number;
      notBefore: number;
      expiresAt: number;
      /** Absent when a pending rotation is found already mined (the pass that sent it stopped before the rename). */
      transactionHash: Hex | undefined;
      blockNumber: number | undefined;
      /** True when the key came from a pending file an earlier pass wrote (a crash or a failed send). */
      resumed: boolean;
    }
  | { action: "not-due"; keyId: Hex; version: number; dueAt: number }
  | { action: "skipped"; keyId: Hex; reason: "public-only" | "not-registered" | "not-owner" | "superseded" | "revoked" | "suspended" | "expired" }
  | { action: "abandoned"; oldKeyId: Hex; keyId: Hex; file: string; reason: string }
  | {
      action: "failed";
      /** The key being rotated, when known (absent for an unreadable key file). */
      keyId?: Hex | undefined;
      file?: string | undefined;
      error: string;
      /** A new key written before the failure: the next pass retries with it. */
      pendingFile?: string | undefined;
    };
