// Stateful fuzz of KeyRegistry (fast-check model-based testing): random sequences
// of operations from random actors (owners, strangers, guardians, governance, a
// governance candidate) with time jumps, each checked against an in-memory model
// (registryModel.ts) and against invariants stated on what the chain shows:
//   - only the allowed actor changes a record (owner: rotate/extend/revoke; guardian:
//     suspend only; governance: revoke/unsuspend), and a transaction writes no
//     storage slot but the ones its operation may touch (from the opcode trace);
//   - revoked is final; a key id is never reused;
//   - versions in a lineage increase by one; at most two versions of a lineage are
//     valid at once, and an extension never passes the key's registered expiry;
//   - governance and batch calls skip keys already in the target state (KeySkipped),
//     never revert on them;
//   - (v2) no record is credited to a wallet that does not hold the key: every id's
//     first 20 bytes are its owner (the registrant), and every ECDSA record's proof
//     verifies for its owner; Ed25519 copies land under the copier's own id;
//   - (v2) a suspension never outlives its bound: KeySuspended.until is now +
//     maxSuspension, and keyStatus never says Suspended at or after suspendedUntil
//     (only governance moves it later); a guardian suspends a key once until the DAO rules;
//   - (v2) ownerRecord.unreleasedLineages is the number of the owner's lineage heads not released
//     by releaseKeys (0 once governance revoked the owner), a registration never passes the cap, and
//     a revoked owner's keys all read Revoked / OwnerRevoked;
//   - a key that keyStatus reports valid is active, inside its window, with the scopes;
//   - a key outside the current policy (algorithm, a scope bit, lifetime) is never
//     Valid: keyStatus says NotAllowed (issue 9); a named scope bit is never renamed;
//   - policy bounds always hold (lifetime, overlap, algorithms, scopes);
//   - the registry state can be rebuilt from its events alone.
// Every refusal must be the exact custom error with the exact arguments the model
// predicts. `npm test` runs a few hundred operations; KEYLEDGER_FUZZ_OPS scales it
// (`npm run stress` uses 10,000) and KEYLEDGER_FUZZ_SEED replays a run.
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import fc from "fast-check";
import { network } from "hardhat";
import {
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  getContract,
  type Hash,
  type Hex,
  keccak256,
  parseEventLogs,
  toHex,
  zeroAddress,
} from "viem";
import { describe, expect, it } from "vitest";
import { keyRegistryAbi } from "../../src/generated/abis.ts";
import { p256 } from "@noble/curves/p256";
import { secp256k1 } from "@noble/curves/secp256k1";
import { proofOfPossessionMessage } from "../../src/keys/index.ts";
import {
  DAY,
  defaultPolicy,
  defaultScopeNames,
  deployRegistry,
  HOUR,
  KeyState,
  Reason,
  type NewKey,
  type Policy,
  type PublicClient,
  type Registry,
  type WalletClient,
} from "./fixtures.ts";
import {
  ecdsaProofHolds,
  effectiveState,
  type ModelKey,
  modelKeyId,
  modelKeyStatus,
  modelPolicyAllows,
  type ModelOwner,
  modelRecordView,
  type ModelRecordView,
  predict,
  type RegistryModel,
  type RegistryOp,
} from "./registryModel.ts";

const TARGET_OPS = Number(process.env.KEYLEDGER_FUZZ_OPS ?? 500);
const SEED = Number(process.env.KEYLEDGER_FUZZ_SEED ?? (Date.now() ^ (Math.random() * 2 ** 31)) >>> 0);
const MAX_COMMANDS = 100;
const SWEEP_EVERY = 25;
const U32 = 2 ** 32 - 1;
/** The fuzz's initial policy: a small cap and a short suspension bound, so both are reached. */
const FUZZ_POLICY: Policy = { ...defaultPolicy, maxSuspension: 2 * DAY, maxKeysPerOwner: 3 };

/** Wallet indices: 0 governance, 1-3 owners, 4 stranger, 5 guardian, 6 governance candidate, 7 spare. */
const ACTORS = ["governance", "owner1", "owner2", "owner3", "stranger", "guardian", "candidate", "spare"] as const;

// ---------------------------------------------------------------------------
// Intents: raw random choices, resolved against the model when they run (so
// shrinking stays meaningful as earlier commands disappear).
// ---------------------------------------------------------------------------

type KeyPick = { kind: "preferred" | "any" | "unknown"; n: number };
type Window = {
  /** `aged`: start one policy lifetime earlier (keys near the end of their allowed life). */
  start: { from: "now" | "cut"; offset: number; aged?: boolean };
  length: { kind: "fraction"; permille: number } | { kind: "max" | "overMax" | "zero" | "inverted" | "endsNow" | "endsNowPlus1" };
};
type KeySpec = {
  alg: number;
  shape: "fresh" | "duplicate" | "short" | "long" | "prefix";
  proofLength: number;
  /** valid: signed for the sender; highS: the malleable twin; otherOwner: signed for another wallet; junk: random bytes. */
  proof: "valid" | "highS" | "otherOwner" | "junk";
  scopes: number;
  onlyAllowedScopes: boolean;
  window: Window;
};
/** natural: who would normally send it (the key's owner, a guardian, governance); keyOwner: the picked key's owner. */
type Sender = { role: "natural" } | { role: "keyOwner" } | { role: "actor"; index: number };
type Intent =
  | { type: "register"; sender: Sender; key: KeySpec; label: string }
  | { type: "rotate"; sender: Sender; pick: KeyPick; key: KeySpec; overlap: { permille: number } | { kind: "zero" | "max" | "overMax" | "huge" } }
  | { type: "extendOverlap"; sender: Sender; pick: KeyPick; to: { permille: number } | { kind: ExtendKind } }
  | { type: "revoke" | "suspend" | "governanceRevoke" | "unsuspend"; sender: Sender; pick: KeyPick; reason: string }
  | { type: "revokeBatch" | "governanceRevokeBatch" | "unsuspendBatch"; sender: Sender; picks: KeyPick[] | "oversize"; reason: string }
  | { type: "releaseKeys"; sender: Sender; picks: KeyPick[] | "oversize" }
  | { type: "governanceRevokeLineage"; sender: Sender; pick: KeyPick; reason: string }
  | { type: "governanceRevokeOwner"; sender: Sender; target: { ownerOf: KeyPick } | { actor: number }; reason: string }
  | { type: "extendSuspension"; sender: Sender; pick: KeyPick; to: { kind: "atCurrent" | "earlier" | "plus1" | "plusDay" | "plusWeek" | "max" } }
  | { type: "setPolicy"; sender: Sender; policy: PolicySpec }
  | { type: "setScopeName"; sender: Sender; bit: number; name: string }
  | { type: "setGuardian"; sender: Sender; target: number; enabled: boolean }
  | { type: "transferGovernance"; sender: Sender; target: number | "zero" }
  | { type: "acceptGovernance"; sender: Sender }
  | { type: "timeJump"; by: { seconds: number } | { pick: KeyPick; edge: Edge } }
  | { type: "probe"; pick: KeyPick; scopes: number };
type Edge = "nb-1" | "nb" | "exp-1" | "exp" | "susp-1" | "susp";
type ExtendKind = "atCurrent" | "earlier" | "atMaxOverlap" | "overMaxOverlap" | "atLifetime" | "overLifetime" | "atNotBefore";
type PolicySpec =
  | {
      valid: true;
      maxLifetime: number;
      overlapPermille: number;
      maxSuspension: number;
      maxKeysPerOwner: number;
      allowedAlgorithms: number;
      allowedScopes: number;
    }
  | { valid: false; kind: "zeroLifetime" | "overlapAboveLifetime" | "none" | "highBits" | "zeroSuspension" | "zeroCap" };

const weighted = <T,>(...entries: [number, fc.Arbitrary<T>][]) =>
  fc.oneof(...entries.map(([weight, arbitrary]) => ({ weight, arbitrary })));

const pickArb: fc.Arbitrary<KeyPick> = fc.record({
  kind: weighted<KeyPick["kind"]>([8, fc.constant("preferred")], [2, fc.constant("any")], [1, fc.constant("unknown")]),
  n: fc.nat(),
});
const senderArb: fc.Arbitrary<Sender> = weighted<Sender>(
  [8, fc.constant({ role: "natural" as const })],
  [1, fc.constant({ role: "keyOwner" as const })],
  [2, fc.nat({ max: ACTORS.length - 1 }).map((index) => ({ role: "actor" as const, index }))],
);
const windowArb = (from: "now" | "cut"): fc.Arbitrary<Window> =>
  fc.record({
    start: weighted<Window["start"]>(
      [8, fc.constant({ from, offset: 0 })],
      [2, fc.integer({ min: -30 * DAY, max: -1 }).map((offset) => ({ from, offset }))],
      [1, fc.integer({ min: 1, max: 3 * DAY }).map((offset) => ({ from, offset }))],
      [1, fc.constantFrom(-HOUR, -1, 1).map((offset) => ({ from, offset }))],
      [2, fc.integer({ min: 1, max: 2 * DAY }).map((offset) => ({ from, offset, aged: true }))],
    ),
    length: weighted<Window["length"]>(
      [16, fc.integer({ min: 1, max: 1000 }).map((permille) => ({ kind: "fraction" as const, permille }))],
      [2, fc.constantFrom("max", "overMax", "zero", "inverted", "endsNow", "endsNowPlus1").map((kind) => ({ kind }))],
    ),
  });
const keySpecArb = (from: "now" | "cut"): fc.Arbitrary<KeySpec> =>
  fc.record({
    alg: weighted([10, fc.constant(1)], [4, fc.constant(2)], [4, fc.constant(3)], [1, fc.constant(0)]),
    shape: weighted<KeySpec["shape"]>([40, fc.constant("fresh")], [4, fc.constant("duplicate")], [1, fc.constantFrom("short", "long", "prefix")]),
    proofLength: weighted([40, fc.constant(64)], [1, fc.constantFrom(0, 63, 65, 128)]),
    proof: weighted<KeySpec["proof"]>([30, fc.constant("valid")], [2, fc.constant("highS")], [2, fc.constant("otherOwner")], [2, fc.constant("junk")]),
    scopes: fc.nat({ max: 255 }),
    onlyAllowedScopes: weighted([20, fc.constant(true)], [1, fc.constant(false)]),
    window: windowArb(from),
  });
const labelArb = weighted(
  [12, fc.string({ minLength: 1, maxLength: 24 })],
  [1, fc.constantFrom("", "x".repeat(64), "x".repeat(65), "é".repeat(32), "é".repeat(33))],
);
const reasonArb = fc.constantFrom("", "compromised", "rotation done", "r".repeat(40));
const policyArb: fc.Arbitrary<PolicySpec> = weighted<PolicySpec>(
  [
    4,
    fc.record({
      valid: fc.constant(true as const),
      maxLifetime: fc.constantFrom(HOUR, DAY, 30 * DAY, 90 * DAY, 365 * DAY, U32),
      overlapPermille: fc.integer({ min: 0, max: 1000 }),
      maxSuspension: fc.constantFrom(1, HOUR, DAY, 2 * DAY, 30 * DAY, U32),
      maxKeysPerOwner: fc.constantFrom(1, 2, 3, 4, 6, 100, 0xffff),
      allowedAlgorithms: weighted([3, fc.constant(0b1110)], [1, fc.nat({ max: 7 }).map((bits) => bits << 1)]),
      allowedScopes: weighted([3, fc.constant(0b1111)], [1, fc.nat({ max: 255 })]),
    }),
  ],
  [
    1,
    fc.record({
      valid: fc.constant(false as const),
      kind: fc.constantFrom("zeroLifetime", "overlapAboveLifetime", "none", "highBits", "zeroSuspension", "zeroCap"),
    }),
  ],
);

const intentArb: fc.Arbitrary<Intent> = weighted<Intent>(
  [9, fc.record({ type: fc.constant("register" as const), sender: senderArb, key: keySpecArb("now"), label: labelArb })],
  [
    7,
    fc.record({
      type: fc.constant("rotate" as const),
      sender: senderArb,
      pick: pickArb,
      key: keySpecArb("cut"),
      overlap: weighted<Extract<Intent, { type: "rotate" }>["overlap"]>(
        [6, fc.integer({ min: 0, max: 1000 }).map((permille) => ({ permille }))],
        [2, fc.constantFrom("zero", "max", "overMax", "huge").map((kind) => ({ kind }))],
      ),
    }),
  ],
  [
    4,
    fc.record({
      type: fc.constant("extendOverlap" as const),
      sender: senderArb,
      pick: pickArb,
      to: weighted<Extract<Intent, { type: "extendOverlap" }>["to"]>(
        [4, fc.integer({ min: 1, max: 1000 }).map((permille) => ({ permille }))],
        [
          3,
          fc
            .constantFrom<ExtendKind>("atCurrent", "earlier", "atMaxOverlap", "overMaxOverlap", "atLifetime", "overLifetime", "atNotBefore")
            .map((kind) => ({ kind })),
        ],
      ),
    }),
  ],
  [3, fc.record({ type: fc.constant("revoke" as const), sender: senderArb, pick: pickArb, reason: reasonArb })],
  [
    1,
    fc.record({
      type: fc.constant("revokeBatch" as const),
      sender: senderArb,
      picks: weighted<KeyPick[] | "oversize">(
        [10, fc.array(pickArb, { minLength: 1, maxLength: 5 })],
        [1, fc.constantFrom<KeyPick[] | "oversize">([], "oversize")],
      ),
      reason: reasonArb,
    }),
  ],
  [
    2,
    fc.record({
      type: fc.constant("releaseKeys" as const),
      sender: senderArb,
      picks: weighted<KeyPick[] | "oversize">(
        [10, fc.array(pickArb, { minLength: 1, maxLength: 5 })],
        [1, fc.constantFrom<KeyPick[] | "oversize">([], "oversize")],
      ),
    }),
  ],
  [3, fc.record({ type: fc.constant("suspend" as const), sender: senderArb, pick: pickArb, reason: reasonArb })],
  [1, fc.record({ type: fc.constant("unsuspend" as const), sender: senderArb, pick: pickArb, reason: fc.constant("") })],
  [1, fc.record({ type: fc.constant("governanceRevoke" as const), sender: senderArb, pick: pickArb, reason: reasonArb })],
  [
    1,
    fc.record({
      type: fc.constantFrom("governanceRevokeBatch" as const, "unsuspendBatch" as const),
      sender: senderArb,
      picks: weighted<KeyPick[] | "oversize">(
        [10, fc.array(pickArb, { minLength: 1, maxLength: 5 })],
        [1, fc.constantFrom<KeyPick[] | "oversize">([], "oversize")],
      ),
      reason: reasonArb,
    }),
  ],
  [1, fc.record({ type: fc.constant("governanceRevokeLineage" as const), sender: senderArb, pick: pickArb, reason: reasonArb })],
  [
    1,
    fc.record({
      type: fc.constant("governanceRevokeOwner" as const),
      sender: senderArb,
      target: weighted<Extract<Intent, { type: "governanceRevokeOwner" }>["target"]>(
        [1, pickArb.map((ownerOf) => ({ ownerOf }))],
        [2, fc.nat({ max: ACTORS.length - 1 }).map((actor) => ({ actor }))],
      ),
      reason: reasonArb,
    }),
  ],
  [
    2,
    fc.record({
      type: fc.constant("extendSuspension" as const),
      sender: senderArb,
      pick: pickArb,
      to: fc.constantFrom("atCurrent", "earlier", "plus1", "plusDay", "plusWeek", "max").map((kind) => ({ kind })),
    }),
  ],
  [1, fc.record({ type: fc.constant("setPolicy" as const), sender: senderArb, policy: policyArb })],
  [
    1,
    fc.record({
      type: fc.constant("setScopeName" as const),
      sender: senderArb,
      bit: fc.nat({ max: 9 }),
      name: weighted([4, fc.string({ maxLength: 16 })], [1, fc.constantFrom("", "n".repeat(31), "n".repeat(32), "n".repeat(33))]),
    }),
  ],
  [
    1,
    fc.record({ type: fc.constant("setGuardian" as const), sender: senderArb, target: fc.nat({ max: ACTORS.length - 1 }), enabled: fc.boolean() }),
  ],
  [
    1,
    fc.record({
      type: fc.constant("transferGovernance" as const),
      sender: senderArb,
      target: weighted<number | "zero">([6, fc.nat({ max: ACTORS.length - 1 })], [1, fc.constant("zero" as const)]),
    }),
  ],
  [1, fc.record({ type: fc.constant("acceptGovernance" as const), sender: senderArb })],
  [
    4,
    fc.record({
      type: fc.constant("timeJump" as const),
      by: weighted<Extract<Intent, { type: "timeJump" }>["by"]>(
        [3, fc.integer({ min: 1, max: 120 }).map((seconds) => ({ seconds }))],
        [2, fc.integer({ min: 1, max: 48 }).map((h) => ({ seconds: h * HOUR }))],
        [1, fc.integer({ min: 1, max: 60 }).map((d) => ({ seconds: d * DAY }))],
        [3, fc.record({ pick: pickArb, edge: fc.constantFrom("nb-1", "nb", "exp-1", "exp") as fc.Arbitrary<Edge> })],
        [2, fc.record({ pick: pickArb, edge: fc.constantFrom("susp-1", "susp") as fc.Arbitrary<Edge> })],
      ),
    }),
  ],
  [2, fc.record({ type: fc.constant("probe" as const), pick: pickArb, scopes: weighted([2, fc.constant(0)], [2, fc.nat({ max: 15 })], [1, fc.nat({ max: 255 })]) })],
);

function expiryOf(length: Window["length"], notBefore: number, time: number, maxLifetime: number, aged: boolean): number {
  switch (length.kind) {
    // An aged key takes its whole allowed life, so it ends shortly after its base time.
    case "fraction":
      return notBefore + (aged ? maxLifetime : Math.max(1, Math.floor((maxLifetime * length.permille) / 1000)));
    case "max":
      return notBefore + maxLifetime;
    case "overMax":
      return notBefore + maxLifetime + 1;
    case "zero":
      return notBefore;
    case "inverted":
      return notBefore - 1;
    case "endsNow":
      return time;
    case "endsNowPlus1":
      return time + 1;
  }
}

// ---------------------------------------------------------------------------
// Key material: node:crypto, generated on demand (fast, real proofs).
// ---------------------------------------------------------------------------

type Material = { alg: number; publicKey: Hex; privateKey: KeyObject };

function generateMaterial(alg: number): Material {
  if (alg === 1 || alg === 0) {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
    return { alg: 1, publicKey: toHex(raw), privateKey };
  }
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: alg === 2 ? "P-256" : "secp256k1" });
  const jwk = publicKey.export({ format: "jwk" });
  const x = Buffer.from(jwk.x!, "base64url");
  const y = Buffer.from(jwk.y!, "base64url");
  return { alg, publicKey: toHex(Buffer.concat([Buffer.from([(y.at(-1)! & 1) === 1 ? 3 : 2]), x])), privateKey };
}

/** Ed25519, or ECDSA r || s over the message's SHA-256 with s in the lower half (or, `highS`, the upper). */
function signProof(material: Material, message: Uint8Array, highS = false): Hex {
  if (material.alg === 1) return toHex(sign(null, message, material.privateKey));
  const signature = sign("sha256", message, { key: material.privateKey, dsaEncoding: "ieee-p1363" });
  const n = material.alg === 2 ? p256.CURVE.n : secp256k1.CURVE.n;
  const s = BigInt(toHex(signature.subarray(32)));
  const wantHigh = highS ? s <= n / 2n : s > n / 2n;
  return wantHigh ? (`${toHex(signature.subarray(0, 32))}${(n - s).toString(16).padStart(64, "0")}` as Hex) : toHex(signature);
}

// ---------------------------------------------------------------------------
// The runner: resolves intents against the model, sends them, checks everything.
// ---------------------------------------------------------------------------

type Connection = Awaited<ReturnType<typeof network.create>>;
type Stats = {
  ops: number;
  applied: number;
  refused: number;
  timeJumps: number;
  statusChecks: number;
  /** keyStatus answers NotAllowed (a key outside the current policy, issue 9). */
  notAllowed: number;
  sweeps: number;
  sequences: number;
  storageWrites: number;
  /** KeySkipped events seen (batch and governance calls on keys already in the target state). */
  skipped: number;
  /** keyStatus answers Suspended / OwnerRevoked, and keys read Active again after their suspension lapsed. */
  suspendedChecks: number;
  ownerRevokedChecks: number;
  lapsedSuspensions: number;
  /** ECDSA records whose proof was checked to verify for their owner; Ed25519 records registered under a copier's id. */
  ecdsaProofsChecked: number;
  ed25519Copies: number;
  refusals: Map<string, number>;
  /** Distinct (operation, error) pairs seen. */
  refusalKinds: Set<string>;
  applications: Map<string, number>;
};
type ChainRecord = Awaited<ReturnType<Registry["read"]["getKey"]>>;
type Roles = { governance: Address; guardians: Set<Address> };
type IndexedState = {
  keys: Map<Hex, ModelKey>;
  owners: Map<Address, ModelOwner>;
  policy: Policy;
  governance: Address;
  pendingGovernance: Address;
  guardians: Set<Address>;
  scopeNames: string[];
};
type RunnerParameters = {
  connection: Connection;
  publicClient: PublicClient;
  registry: Registry;
  wallets: WalletClient[];
  snapshot: { restore(): Promise<void> };
  chainId: number;
};

const lower = (value: string) => value.toLowerCase() as Address;
const clampU32 = (value: number) => Math.max(0, Math.min(U32, Math.floor(value)));
const show = (value: unknown) => JSON.stringify(value, (_, v) => (typeof v === "bigint" ? `${v}n` : v instanceof Set ? [...v] : v));

// Hex casing carries no meaning (checksummed addresses vs lower-case bytes).
function normalize(value: unknown): unknown {
  if (typeof value === "string" && value.startsWith("0x")) return value.toLowerCase();
  if (value instanceof Set) return [...value].map(normalize).sort();
  if (value instanceof Map) {
    return Object.fromEntries([...value].map(([k, v]) => [String(normalize(k)), normalize(v)]).sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0)));
  }
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  return value;
}


/** The custom error a refused call carries, decoded with the registry ABI. */
function refusalOf(error: unknown): { name: string; args: readonly unknown[] } {
  if (error instanceof BaseError) {
    const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (revert instanceof ContractFunctionRevertedError && revert.data) {
      return { name: revert.data.errorName, args: revert.data.args ?? [] };
    }
  }
  throw error;
}

/**
 * The invariant "only the allowed actor changes a record", stated on what the
 * chain shows: the record before (as verified at the previous step, read at this
 * block's time, so a suspension lapsing on its own is no change) and after.
 */
function assertChangeAllowed(
  keyId: Hex,
  before: ModelRecordView | undefined,
  chain: ChainRecord,
  sender: Address,
  roles: Roles,
  maxSuspension: number,
  time: number,
  context: string,
  ownerRevoked: boolean,
) {
  const after = normalize(chain) as ChainRecord;
  // The id names its owner (v2): nobody is credited with a record under another wallet's id.
  expect(after.owner, `${context}: the owner of ${keyId} is not its first 20 bytes`).toBe(keyId.slice(0, 42));
  if (!before) {
    expect(after.owner, `${context}: a new record must belong to its registrant`).toBe(sender);
    expect([after.state, after.rotated, after.suspendedUntil], `${context}: a new record starts active`).toEqual([KeyState.Active, false, 0]);
    return;
  }
  for (const field of ["owner", "algorithm", "version", "scopes", "notBefore"] as const) {
    expect(after[field], `${context}: ${field} of an existing record changed`).toBe(before[field]);
  }
  const stateChanged = after.state !== before.state;
  const timeChanged = after.expiresAt !== before.expiresAt || after.rotated !== before.rotated;
  const suspensionChanged = after.suspendedUntil !== before.suspendedUntil;
  if (!stateChanged && !timeChanged && !suspensionChanged) return;
  if (ownerRevoked && before.state === KeyState.Revoked) {
    // suspend, revoke and governanceRevoke do not read the owner's slot (gas), so they
    // may still write a revoked owner's key (its suspension end; a predecessor's overlap
    // ended by revoking its head): what readers see stays revoked, and nothing is extended.
    expect(after.state, `${context}: a revoked owner's record came back`).toBe(KeyState.Revoked);
    expect([after.rotated, after.expiresAt <= before.expiresAt], `${context}: a revoked owner's record was extended`).toEqual([before.rotated, true]);
    return;
  }
  expect(before.state, `${context}: a revoked record changed`).not.toBe(KeyState.Revoked);
  const owner = sender === before.owner;
  const governance = sender === roles.governance;
  const guardian = roles.guardians.has(sender);
  const active = before.state === KeyState.Active;
  const suspended = before.state === KeyState.Suspended;
  const onlyState = !timeChanged && !suspensionChanged;
  const allowed =
    // Owner: revoke (also a suspended key), rotate (cut, never extend; v2: also a
    // suspended key, which stays suspended), extend a rotated key.
    (owner && onlyState && after.state === KeyState.Revoked) ||
    (owner && !stateChanged && !suspensionChanged && (active || suspended) && !before.rotated && after.rotated && after.expiresAt <= before.expiresAt) ||
    (owner && !stateChanged && !suspensionChanged && active && before.rotated && after.rotated && after.expiresAt > before.expiresAt) ||
    // Rotating or revoking the successor of a rotated-out key ends that key's overlap (never
    // extends it): the owner either way, governance by revoking the head.
    ((owner || governance) && !stateChanged && !suspensionChanged && before.rotated && after.rotated && after.expiresAt < before.expiresAt) ||
    // Both in one batch: revoking the head ends the predecessor's overlap, then the
    // batch revokes the predecessor too.
    ((owner || governance) && !suspensionChanged && after.state === KeyState.Revoked && before.rotated && after.rotated && after.expiresAt < before.expiresAt) ||
    // Governance: revoke anything live (a key, a lineage, an owner), lift a suspension
    // (lapsed or not), move a running suspension's end later.
    (governance && onlyState && after.state === KeyState.Revoked) ||
    (governance && !timeChanged && after.state === KeyState.Active && after.suspendedUntil === 0 && before.suspendedUntil !== 0) ||
    (governance && !timeChanged && !stateChanged && suspended && after.suspendedUntil > before.suspendedUntil) ||
    // Guardian: suspend an active key for at most maxSuspension, nothing else.
    (guardian &&
      !timeChanged &&
      active &&
      after.state === KeyState.Suspended &&
      after.suspendedUntil > time &&
      after.suspendedUntil <= Math.min(U32, time + maxSuspension));
  expect(allowed, `${context}: ${sender} may not change ${show(before)} into ${show(after)}`).toBe(true);
}

class Runner {
  readonly stats: Stats = {
    ops: 0,
    applied: 0,
    refused: 0,
    timeJumps: 0,
    statusChecks: 0,
    notAllowed: 0,
    sweeps: 0,
    sequences: 0,
    storageWrites: 0,
    skipped: 0,
    suspendedChecks: 0,
    ownerRevokedChecks: 0,
    lapsedSuspensions: 0,
    ecdsaProofsChecked: 0,
    ed25519Copies: 0,
    refusals: new Map(),
    refusalKinds: new Set(),
    applications: new Map(),
  };
  model!: RegistryModel;
  private index!: IndexedState;
  private seenIds = new Set<Hex>();
  private blockNumber = 0n;
  private opsSinceSweep = 0;
  private readonly p: RunnerParameters;
  private readonly addresses: Address[];
  private readonly contracts: Registry[];

  constructor(parameters: RunnerParameters) {
    this.p = parameters;
    this.addresses = parameters.wallets.map((w) => lower(w.account.address));
    this.contracts = parameters.wallets.map((wallet) =>
      getContract({ address: parameters.registry.address, abi: keyRegistryAbi, client: { public: parameters.publicClient, wallet } }),
    );
  }

  private get read() {
    return this.p.registry.read;
  }

  async reset() {
    await this.p.snapshot.restore();
    const guardians = new Set<Address>([this.addresses[5]!]);
    this.model = {
      now: await this.p.connection.networkHelpers.time.latest(),
      policy: { ...FUZZ_POLICY },
      governance: this.addresses[0]!,
      pendingGovernance: zeroAddress,
      guardians,
      scopeNames: [...defaultScopeNames, "", "", "", ""],
      keys: new Map(),
      ids: [],
      owners: new Map(),
      chainId: this.p.chainId,
      registry: lower(this.p.registry.address),
    };
    this.index = {
      keys: new Map(),
      owners: new Map(),
      policy: { ...FUZZ_POLICY },
      governance: this.addresses[0]!,
      pendingGovernance: zeroAddress,
      guardians: new Set(guardians),
      scopeNames: [...this.model.scopeNames],
    };
    this.seenIds = new Set();
    this.blockNumber = await this.p.publicClient.getBlockNumber();
    this.opsSinceSweep = 0;
    this.stats.sequences++;
  }

  /** Runs one intent; returns what it resolved to (for failure reports). */
  async step(intent: Intent): Promise<string> {
    if (intent.type === "timeJump") return this.timeJump(intent.by);
    if (intent.type === "probe") {
      const keyId = this.pickKey(intent.pick, () => true);
      await this.probe(keyId, intent.scopes, "probe");
      return `probe ${keyId.slice(0, 10)} scopes ${intent.scopes}`;
    }
    const { op, sender } = this.resolve(intent);
    const description = `${ACTORS[sender]} ${op.name} ${show(op)}`;
    await this.execute(op, sender, `#${this.stats.ops + 1} ${description}`);
    if (++this.opsSinceSweep >= SWEEP_EVERY) await this.sweep();
    return description;
  }

  // --- resolution ---------------------------------------------------------

  private indexOf(address: Address): number {
    const i = this.addresses.indexOf(lower(address));
    if (i < 0) throw new Error(`${address} is not a fuzz actor`);
    return i;
  }

  private pickKey(pick: KeyPick, prefer: (k: ModelKey) => boolean): Hex {
    const ids = this.model.ids;
    if (pick.kind === "unknown" || ids.length === 0) return keccak256(toHex(`unknown key ${pick.n}`));
    if (pick.kind === "preferred") {
      const candidates = ids.filter((id) => prefer(this.model.keys.get(id)!));
      if (candidates.length > 0) return candidates[pick.n % candidates.length]!;
    }
    return ids[pick.n % ids.length]!;
  }

  private senderOf(sender: Sender, natural: number, keyId?: Hex): number {
    if (sender.role === "actor") return sender.index;
    if (sender.role === "keyOwner") return keyId ? this.ownerOf(keyId) : 1;
    return natural;
  }

  private ownerOf(keyId: Hex): number {
    const k = this.model.keys.get(keyId);
    return k ? this.indexOf(k.owner) : 1;
  }

  private newKey(spec: KeySpec, owner: number, time: number, cut: number): NewKey {
    const { model } = this;
    const p = model.policy;
    let algorithm = spec.alg;
    let publicKey: Hex;
    let material: Material | undefined;
    let copiedProof: Hex | undefined;
    if (spec.shape === "duplicate" && model.ids.length > 0) {
      // A copy of a registered key (a squatter's, or the owner's own again) with the proof it was registered with.
      const existing = model.keys.get(model.ids[spec.scopes % model.ids.length]!)!;
      publicKey = existing.publicKey;
      algorithm = existing.algorithm;
      copiedProof = existing.proof;
    } else {
      material = generateMaterial(algorithm);
      publicKey = material.publicKey;
      if (spec.shape === "short") publicKey = publicKey.slice(0, -2) as Hex;
      if (spec.shape === "long") publicKey = `${publicKey}00`;
      if (spec.shape === "prefix") publicKey = algorithm === 1 ? `0x02${publicKey.slice(2)}` : `0x04${publicKey.slice(4)}`;
    }
    const { start, length } = spec.window;
    const notBefore = clampU32((start.from === "cut" ? cut : time) + start.offset - (start.aged ? p.maxLifetime : 0));
    const expiresAt = clampU32(expiryOf(length, notBefore, time, p.maxLifetime, start.aged === true));
    // The proof names the wallet it is for and that wallet's id for the key (v2).
    const signer = spec.proof === "otherOwner" ? this.addresses[(owner + 1 + (spec.scopes % 7)) % this.addresses.length]! : this.addresses[owner]!;
    const junk = `0x${"a5".repeat(spec.proofLength)}` as Hex;
    const proof =
      copiedProof !== undefined && spec.proofLength === 64
        ? spec.proof === "junk"
          ? junk
          : copiedProof
        : material && spec.proofLength === 64 && spec.shape === "fresh" && spec.proof !== "junk"
          ? signProof(
              material,
              proofOfPossessionMessage({ chainId: this.p.chainId, registry: this.p.registry.address, owner: signer, keyId: modelKeyId(signer, publicKey) }),
              spec.proof === "highS",
            )
          : junk;
    return { algorithm, publicKey, scopes: spec.onlyAllowedScopes ? spec.scopes & p.allowedScopes : spec.scopes, notBefore, expiresAt, proof };
  }

  private resolve(intent: Exclude<Intent, { type: "timeJump" | "probe" }>): { op: RegistryOp; sender: number } {
    const { model } = this;
    const p = model.policy;
    const time = model.now + 1;
    const governance = this.indexOf(model.governance);
    const live = (k: ModelKey) => k.state !== KeyState.Revoked;
    switch (intent.type) {
      case "register": {
        const sender = this.senderOf(intent.sender, 1 + (intent.key.scopes % 3));
        return { op: { name: "register", key: this.newKey(intent.key, sender, time, time), label: intent.label }, sender };
      }
      case "rotate": {
        // v2: suspended keys rotate too (the owner's escape from a guardian).
        const oldKeyId = this.pickKey(intent.pick, (k) => k.state !== KeyState.Revoked && !k.rotated);
        const sender = this.senderOf(intent.sender, this.ownerOf(oldKeyId), oldKeyId);
        const o = intent.overlap;
        const overlap = clampU32(
          "permille" in o
            ? (p.maxOverlap * o.permille) / 1000
            : o.kind === "zero"
              ? 0
              : o.kind === "max"
                ? p.maxOverlap
                : o.kind === "overMax"
                  ? p.maxOverlap + 1
                  : U32,
        );
        const old = model.keys.get(oldKeyId);
        const cut = old ? Math.min(old.expiresAt, time + overlap) : time;
        return { op: { name: "rotate", oldKeyId, key: this.newKey(intent.key, sender, time, cut), overlap }, sender };
      }
      case "extendOverlap": {
        const keyId = this.pickKey(intent.pick, (k) => effectiveState(k, time) === KeyState.Active && k.rotated);
        const k = model.keys.get(keyId);
        const current = k?.expiresAt ?? time;
        const notBefore = k?.notBefore ?? time;
        const to = intent.to;
        const expiresAt = clampU32(
          "permille" in to
            ? time + (p.maxOverlap * to.permille) / 1000
            : {
                atCurrent: current,
                earlier: current - 1,
                atMaxOverlap: time + p.maxOverlap,
                overMaxOverlap: time + p.maxOverlap + 1,
                atLifetime: notBefore + p.maxLifetime,
                overLifetime: notBefore + p.maxLifetime + 1,
                atNotBefore: notBefore,
              }[to.kind],
        );
        return { op: { name: "extendOverlap", keyId, expiresAt }, sender: this.senderOf(intent.sender, this.ownerOf(keyId), keyId) };
      }
      case "revoke": {
        const keyId = this.pickKey(intent.pick, live);
        return { op: { name: "revoke", keyId, reason: intent.reason }, sender: this.senderOf(intent.sender, this.ownerOf(keyId), keyId) };
      }
      case "revokeBatch": {
        const keyIds =
          intent.picks === "oversize"
            ? Array.from({ length: 257 }, (_, n) => this.pickKey({ kind: "any", n }, live))
            : intent.picks.map((pick) => this.pickKey(pick, live));
        const first = keyIds[0];
        return {
          op: { name: "revokeBatch", keyIds, reason: intent.reason },
          sender: this.senderOf(intent.sender, first ? this.ownerOf(first) : 1, first),
        };
      }
      case "releaseKeys": {
        // Mostly revoked heads not yet released; anyone may send it.
        const prefer = (k: ModelKey) => k.state === KeyState.Revoked && !k.rotated && !k.released;
        const keyIds =
          intent.picks === "oversize"
            ? Array.from({ length: 257 }, (_, n) => this.pickKey({ kind: "any", n }, prefer))
            : intent.picks.map((pick) => this.pickKey(pick, prefer));
        const first = keyIds[0];
        return { op: { name: "releaseKeys", keyIds }, sender: this.senderOf(intent.sender, first ? this.ownerOf(first) : 1, first) };
      }
      case "governanceRevokeBatch":
      case "unsuspendBatch": {
        const prefer = intent.type === "unsuspendBatch" ? (k: ModelKey) => k.state === KeyState.Suspended : live;
        const keyIds =
          intent.picks === "oversize"
            ? Array.from({ length: 257 }, (_, n) => this.pickKey({ kind: "any", n }, prefer))
            : intent.picks.map((pick) => this.pickKey(pick, prefer));
        const sender = this.senderOf(intent.sender, governance, keyIds[0]);
        return intent.type === "unsuspendBatch"
          ? { op: { name: "unsuspendBatch", keyIds }, sender }
          : { op: { name: "governanceRevokeBatch", keyIds, reason: intent.reason }, sender };
      }
      case "suspend": {
        // Mostly keys a guardian may suspend; every fourth pick a lapsed, spent one (SuspensionSpent).
        const spent = intent.pick.n % 4 === 0;
        const keyId = this.pickKey(intent.pick, (k) => effectiveState(k, time) === KeyState.Active && k.suspensionSpent === spent);
        const guardians = [...model.guardians].map((g) => this.indexOf(g)).sort();
        const natural = guardians.length > 0 ? guardians[intent.pick.n % guardians.length]! : 5;
        return { op: { name: "suspend", keyId, reason: intent.reason }, sender: this.senderOf(intent.sender, natural, keyId) };
      }
      case "unsuspend": {
        const keyId = this.pickKey(intent.pick, (k) => k.state === KeyState.Suspended);
        return { op: { name: "unsuspend", keyId }, sender: this.senderOf(intent.sender, governance, keyId) };
      }
      case "governanceRevokeLineage": {
        const keyId = this.pickKey(intent.pick, (k) => live(k) && k.rotated);
        return { op: { name: "governanceRevokeLineage", keyId, reason: intent.reason }, sender: this.senderOf(intent.sender, governance, keyId) };
      }
      case "governanceRevokeOwner": {
        const t = intent.target;
        const owner = "actor" in t ? this.addresses[t.actor]! : this.addresses[this.ownerOf(this.pickKey(t.ownerOf, live))]!;
        return { op: { name: "governanceRevokeOwner", owner, reason: intent.reason }, sender: this.senderOf(intent.sender, governance) };
      }
      case "extendSuspension": {
        const keyId = this.pickKey(intent.pick, (k) => effectiveState(k, time) === KeyState.Suspended);
        const current = model.keys.get(keyId)?.suspendedUntil ?? time;
        const until = clampU32(
          { atCurrent: current, earlier: current - 1, plus1: current + 1, plusDay: current + DAY, plusWeek: current + 7 * DAY, max: U32 }[intent.to.kind],
        );
        return { op: { name: "extendSuspension", keyId, until }, sender: this.senderOf(intent.sender, governance, keyId) };
      }
      case "governanceRevoke": {
        const keyId = this.pickKey(intent.pick, live);
        return { op: { name: "governanceRevoke", keyId, reason: intent.reason }, sender: this.senderOf(intent.sender, governance, keyId) };
      }
      case "setPolicy": {
        const s = intent.policy;
        const policy: Policy = s.valid
          ? {
              maxLifetime: s.maxLifetime,
              maxOverlap: Math.floor((s.maxLifetime * s.overlapPermille) / 1000),
              maxSuspension: s.maxSuspension,
              maxKeysPerOwner: s.maxKeysPerOwner,
              allowedAlgorithms: s.allowedAlgorithms,
              allowedScopes: s.allowedScopes,
            }
          : {
              zeroLifetime: { ...FUZZ_POLICY, maxLifetime: 0, maxOverlap: 0 },
              overlapAboveLifetime: { ...FUZZ_POLICY, maxLifetime: DAY, maxOverlap: DAY + 1 },
              none: { ...FUZZ_POLICY, allowedAlgorithms: 0b1111 },
              highBits: { ...FUZZ_POLICY, allowedAlgorithms: 0b1_0010 },
              zeroSuspension: { ...FUZZ_POLICY, maxSuspension: 0 },
              zeroCap: { ...FUZZ_POLICY, maxKeysPerOwner: 0 },
            }[s.kind];
        return { op: { name: "setPolicy", policy }, sender: this.senderOf(intent.sender, governance) };
      }
      case "setScopeName":
        return { op: { name: "setScopeName", bit: intent.bit, scopeName: intent.name }, sender: this.senderOf(intent.sender, governance) };
      case "setGuardian":
        return {
          op: { name: "setGuardian", guardian: this.addresses[intent.target]!, enabled: intent.enabled },
          sender: this.senderOf(intent.sender, governance),
        };
      case "transferGovernance": {
        const newGovernance = intent.target === "zero" ? zeroAddress : this.addresses[intent.target]!;
        return { op: { name: "transferGovernance", newGovernance }, sender: this.senderOf(intent.sender, governance) };
      }
      case "acceptGovernance": {
        const pending = model.pendingGovernance === zeroAddress ? 6 : this.indexOf(model.pendingGovernance);
        return { op: { name: "acceptGovernance" }, sender: this.senderOf(intent.sender, pending) };
      }
    }
  }

  private send(op: RegistryOp, sender: number): Promise<Hash> {
    const r = this.contracts[sender]!;
    switch (op.name) {
      case "register":
        return r.write.register([op.key, op.label]);
      case "rotate":
        return r.write.rotate([op.oldKeyId, op.key, op.overlap]);
      case "extendOverlap":
        return r.write.extendOverlap([op.keyId, op.expiresAt]);
      case "revoke":
        return r.write.revoke([op.keyId, op.reason]);
      case "revokeBatch":
        return r.write.revokeBatch([op.keyIds, op.reason]);
      case "releaseKeys":
        return r.write.releaseKeys([op.keyIds]);
      case "suspend":
        return r.write.suspend([op.keyId, op.reason]);
      case "governanceRevoke":
        return r.write.governanceRevoke([op.keyId, op.reason]);
      case "unsuspend":
        return r.write.unsuspend([op.keyId]);
      case "governanceRevokeBatch":
        return r.write.governanceRevokeBatch([op.keyIds, op.reason]);
      case "governanceRevokeLineage":
        return r.write.governanceRevokeLineage([op.keyId, op.reason]);
      case "governanceRevokeOwner":
        return r.write.governanceRevokeOwner([op.owner, op.reason]);
      case "extendSuspension":
        return r.write.extendSuspension([op.keyId, op.until]);
      case "unsuspendBatch":
        return r.write.unsuspendBatch([op.keyIds]);
      case "setPolicy":
        return r.write.setPolicy([op.policy]);
      case "setScopeName":
        return r.write.setScopeName([op.bit, op.scopeName]);
      case "setGuardian":
        return r.write.setGuardian([op.guardian, op.enabled]);
      case "transferGovernance":
        return r.write.transferGovernance([op.newGovernance]);
      case "acceptGovernance":
        return r.write.acceptGovernance();
    }
  }

  // --- execution and checks -------------------------------------------------

  private async execute(op: RegistryOp, senderIndex: number, context: string) {
    const { model } = this;
    const time = model.now + 1;
    await this.p.connection.networkHelpers.time.setNextBlockTimestamp(time);
    const sender = this.addresses[senderIndex]!;
    const outcome = predict({ model, op, sender, time });
    const roles: Roles = { governance: model.governance, guardians: new Set(model.guardians) };
    // Records before, as getKey shows them at this block's time.
    const before = new Map<Hex, ModelRecordView | undefined>();
    if (outcome.ok) {
      for (const keyId of outcome.keys) {
        const k = model.keys.get(keyId);
        before.set(keyId, k ? (normalize(modelRecordView(model, keyId, time)) as ModelRecordView) : undefined);
      }
    }
    this.stats.ops++;

    let hash: Hash;
    try {
      hash = await this.send(op, senderIndex);
    } catch (error) {
      const refusal = refusalOf(error);
      // Batch and governance calls never revert on keys already in the target state.
      const skipping = ["revokeBatch", "releaseKeys", "governanceRevoke", "governanceRevokeBatch", "governanceRevokeLineage", "unsuspend", "unsuspendBatch"];
      if (skipping.includes(op.name)) {
        expect(refusal.name, `${context}: a skipping call reverted on a key's state`).not.toBe("InvalidKeyState");
      }
      if (outcome.ok) throw new Error(`${context}: the model expected success, the chain refused with ${refusal.name}${show(refusal.args)}`);
      expect(normalize(refusal), `${context}: refused with the wrong error`).toEqual(normalize({ name: outcome.error, args: outcome.args }));
      expect(await this.p.publicClient.getBlockNumber(), `${context}: a refused call mined a block`).toBe(this.blockNumber);
      this.stats.refused++;
      this.stats.refusals.set(refusal.name, (this.stats.refusals.get(refusal.name) ?? 0) + 1);
      this.stats.refusalKinds.add(`${op.name}:${refusal.name}`);
      return;
    }
    if (!outcome.ok) throw new Error(`${context}: the model expected ${outcome.error}${show(outcome.args)}, the chain accepted it`);

    const receipt = await this.p.publicClient.waitForTransactionReceipt({ hash });
    expect(receipt.status, context).toBe("success");
    this.blockNumber = receipt.blockNumber;
    const logs = parseEventLogs({ abi: keyRegistryAbi, logs: receipt.logs, strict: true });
    expect(logs, `${context}: undecodable logs`).toHaveLength(receipt.logs.length);
    expect(normalize(logs.map(({ eventName, args }) => ({ eventName, args }))), `${context}: events`).toEqual(normalize(outcome.events));

    // No storage write outside the slots this operation may touch.
    const allowed = new Set(outcome.slots);
    for (const slot of await this.storageWrites(hash)) {
      this.stats.storageWrites++;
      expect(allowed.has(slot), `${context}: wrote storage slot 0x${slot.toString(16)}`).toBe(true);
    }

    const policy = model.policy;
    outcome.commit();
    model.now = time;
    for (const log of logs) this.applyToIndex(log);
    this.stats.skipped += logs.filter((log) => log.eventName === "KeySkipped").length;

    const records = new Map<Hex, ChainRecord>();
    for (const keyId of outcome.keys) {
      const chain = await this.read.getKey([keyId]);
      records.set(keyId, chain);
      expect(normalize(chain), `${context}: record of ${keyId}`).toEqual(normalize(modelRecordView(model, keyId, time)));
      const ownerRevoked = model.owners.get(keyId.slice(0, 42).toLowerCase() as Address)?.revoked === true;
      assertChangeAllowed(keyId, before.get(keyId), chain, sender, roles, policy.maxSuspension, time, context, ownerRevoked);
    }
    // Owner records the operation may have touched, against the model.
    const touchedOwners = new Set<Address>([sender, ...outcome.keys.map((id) => lower(id.slice(0, 42)))]);
    if (op.name === "governanceRevokeOwner") touchedOwners.add(lower(op.owner));
    for (const owner of touchedOwners) {
      // The fuzzed operations never appoint a rotator nor sign: only the cap and the revocation are modelled.
      const { unreleasedLineages, revoked } = await this.read.ownerRecord([owner]);
      const chain = { unreleasedLineages, revoked };
      expect(chain, `${context}: owner record of ${owner}`).toEqual(model.owners.get(owner) ?? { unreleasedLineages: 0, revoked: false });
    }
    for (const log of logs) {
      if (log.eventName === "KeyRegistered" || log.eventName === "KeyRotated") {
        const keyId = log.eventName === "KeyRegistered" ? log.args.keyId : log.args.newKeyId;
        expect(this.seenIds.has(keyId), `${context}: key id ${keyId} reused`).toBe(false);
        this.seenIds.add(keyId);
        const created = records.get(keyId)!;
        // v2: the id names the registrant; an ECDSA record's proof verifies for it (checked
        // here with @noble/curves, any s); an Ed25519 copy sits under the copier's own id.
        expect(keyId.slice(0, 42).toLowerCase(), `${context}: id of a new record`).toBe(sender);
        expect(keyId.toLowerCase(), `${context}: id of a new record`).toBe(modelKeyId(sender, log.args.publicKey).toLowerCase());
        if (log.args.algorithm !== 1) {
          const holds = ecdsaProofHolds({
            algorithm: log.args.algorithm,
            publicKey: log.args.publicKey,
            proof: log.args.proof,
            owner: sender,
            keyId,
            chainId: this.p.chainId,
            registry: this.p.registry.address,
            lowS: false,
          });
          expect(holds, `${context}: ${keyId} credited to ${sender} without a proof that verifies for it`).toBe(true);
          this.stats.ecdsaProofsChecked++;
        } else {
          const owners = new Set(model.ids.filter((id) => model.keys.get(id)!.publicKey === log.args.publicKey).map((id) => model.keys.get(id)!.owner));
          if (owners.size > 1) this.stats.ed25519Copies++;
        }
        // The cap: a new lineage never passes it.
        if (log.eventName === "KeyRegistered") {
          expect((await this.read.ownerRecord([sender])).unreleasedLineages, `${context}: over the cap`).toBeLessThanOrEqual(policy.maxKeysPerOwner);
        }
        // Policy bounds at creation.
        expect(created.expiresAt - created.notBefore, `${context}: lifetime`).toBeLessThanOrEqual(policy.maxLifetime);
        expect(created.scopes & ~policy.allowedScopes & 0xff, `${context}: scopes`).toBe(0);
        expect(policy.allowedAlgorithms & (1 << created.algorithm), `${context}: algorithm`).not.toBe(0);
        if (log.eventName === "KeyRotated") {
          const old = records.get(log.args.oldKeyId)!;
          expect(created.version, `${context}: version`).toBe(old.version + 1);
          const previous = before.get(log.args.oldKeyId)!;
          expect(old.expiresAt, `${context}: overlap`).toBeLessThanOrEqual(Math.min(previous.expiresAt, time + policy.maxOverlap));
        } else {
          expect(created.version, `${context}: version`).toBe(1);
        }
      }
      if (log.eventName === "KeySuspended") {
        // The bound: exactly now + maxSuspension (clamped to uint32).
        expect(log.args.until, `${context}: suspension bound`).toBe(Math.min(U32, time + policy.maxSuspension));
        expect(records.get(log.args.keyId)!.suspendedUntil, `${context}: suspendedUntil`).toBe(log.args.until);
      }
      if (log.eventName === "OverlapExtended") {
        const k = records.get(log.args.keyId)!;
        expect(k.expiresAt, `${context}: extended past the original expiry`).toBeLessThanOrEqual(model.keys.get(log.args.keyId)!.originalExpiresAt);
        expect(k.expiresAt, `${context}: overlap`).toBeLessThanOrEqual(time + policy.maxOverlap);
        expect(k.expiresAt - k.notBefore, `${context}: lifetime`).toBeLessThanOrEqual(policy.maxLifetime);
      }
    }
    if (outcome.keys.length === 0) await this.checkGlobals(context);
    for (const keyId of outcome.keys.slice(0, 4)) await this.probe(keyId, this.stats.ops & 15, context);
    for (const n of [this.stats.ops * 31, this.stats.ops * 17 + 5]) {
      await this.probe(this.pickKey({ kind: "any", n }, () => true), n & 15, context);
    }
    this.stats.applied++;
    this.stats.applications.set(op.name, (this.stats.applications.get(op.name) ?? 0) + 1);
  }

  /** Storage slots the transaction wrote (SSTORE operands from the opcode trace). */
  private async storageWrites(hash: Hash): Promise<bigint[]> {
    const trace = (await this.p.connection.provider.request({
      method: "debug_traceTransaction",
      params: [hash, { disableMemory: true, disableStorage: true }],
    })) as { structLogs: { op: string; stack?: string[] }[] };
    return trace.structLogs.filter((log) => log.op === "SSTORE").map((log) => BigInt(log.stack!.at(-1)!));
  }

  /** keyStatus against the model, and the invariant "valid means active, inside the window, with the scopes". */
  private async probe(keyId: Hex, requiredScopes: number, context: string) {
    const [valid, reason] = await this.read.keyStatus([keyId, requiredScopes]);
    this.stats.statusChecks++;
    if (reason === Reason.NotAllowed) this.stats.notAllowed++;
    const k = this.model.keys.get(keyId);
    const ownerRevoked = k ? this.model.owners.get(k.owner)?.revoked === true : false;
    expect([valid, reason], `${context}: keyStatus(${keyId}, ${requiredScopes}) at ${this.model.now}`).toEqual(
      modelKeyStatus(k, this.model.now, requiredScopes, this.model.policy, ownerRevoked),
    );
    const now = this.model.now;
    if (reason === Reason.Suspended) {
      // A suspension never outlives its bound (stated on the chain's own record).
      const r = await this.read.getKey([keyId]);
      expect(now, `${context}: Suspended at or after suspendedUntil ${r.suspendedUntil}`).toBeLessThan(r.suspendedUntil);
      expect(r.state, `${context}: keyStatus Suspended, getKey not`).toBe(KeyState.Suspended);
      this.stats.suspendedChecks++;
    }
    if (reason === Reason.OwnerRevoked) {
      expect((await this.read.ownerRecord([k!.owner])).revoked, `${context}: OwnerRevoked for a live owner`).toBe(true);
      expect((await this.read.getKey([keyId])).state, `${context}: OwnerRevoked key not read as Revoked`).toBe(KeyState.Revoked);
      this.stats.ownerRevokedChecks++;
    }
    if (k && k.state === KeyState.Suspended && now >= k.suspendedUntil && !ownerRevoked) this.stats.lapsedSuspensions++;
    if (valid) {
      const r = await this.read.getKey([keyId]);
      expect(r.state === KeyState.Active && r.notBefore <= now && now < r.expiresAt, `${context}: valid outside its window`).toBe(true);
      expect(r.scopes & requiredScopes, `${context}: valid without the scopes`).toBe(requiredScopes);
      // Stated on what the chain shows: the live policy and the stored record.
      const p = await this.read.policy();
      const inside = ((p.allowedAlgorithms >> r.algorithm) & 1) === 1 && (r.scopes & ~p.allowedScopes & 0xff) === 0 && r.expiresAt - r.notBefore <= p.maxLifetime;
      expect(inside, `${context}: valid outside the current policy`).toBe(true);
    } else if (k && reason === Reason.NotAllowed) {
      expect(modelPolicyAllows(k, this.model.policy), `${context}: NotAllowed inside the policy`).toBe(false);
    }
  }

  private async timeJump(by: Extract<Intent, { type: "timeJump" }>["by"]): Promise<string> {
    const { model } = this;
    let target = model.now + ("seconds" in by ? by.seconds : 1);
    let keyId: Hex | undefined;
    if ("pick" in by) {
      const suspension = by.edge === "susp" || by.edge === "susp-1";
      keyId = this.pickKey(by.pick, (k) => (suspension ? effectiveState(k, model.now) === KeyState.Suspended : k.state === KeyState.Active));
      const k = model.keys.get(keyId);
      const edge = k
        ? {
            "nb-1": k.notBefore - 1,
            nb: k.notBefore,
            "exp-1": k.expiresAt - 1,
            exp: k.expiresAt,
            "susp-1": k.suspendedUntil - 1,
            susp: k.suspendedUntil,
          }[by.edge]
        : 0;
      // Far edges (keys under a permissive policy live until 2106) would end the run's time.
      target = edge > model.now + 400 * DAY ? model.now + HOUR : Math.max(edge, model.now + 1);
    }
    await this.p.connection.networkHelpers.time.increaseTo(target);
    model.now = target;
    this.blockNumber = await this.p.publicClient.getBlockNumber();
    this.stats.timeJumps++;
    const context = `time jump to ${target}`;
    if (keyId) await this.probe(keyId, 0, context);
    for (const n of [target, Math.floor(target / 8)]) await this.probe(this.pickKey({ kind: "any", n }, () => true), n & 15, context);
    return context;
  }

  private async checkGlobals(context: string) {
    const { model } = this;
    expect(await this.read.policy(), `${context}: policy`).toEqual(model.policy);
    expect(lower(await this.read.governance()), `${context}: governance`).toBe(model.governance);
    expect(lower(await this.read.pendingGovernance()), `${context}: pending governance`).toBe(model.pendingGovernance);
    const guardians = await Promise.all(this.addresses.map((a) => this.read.isGuardian([a])));
    expect(guardians, `${context}: guardians`).toEqual(this.addresses.map((a) => model.guardians.has(a)));
    const names = await Promise.all(model.scopeNames.map((_, bit) => this.read.scopeName([bit])));
    expect(names, `${context}: scope names`).toEqual(model.scopeNames);
    const p = model.policy;
    expect(
      p.maxLifetime > 0 && p.maxOverlap <= p.maxLifetime && (p.allowedAlgorithms & 0xf1) === 0 && p.maxSuspension > 0 && p.maxKeysPerOwner > 0,
      `${context}: policy bounds`,
    ).toBe(true);
  }

  /** Every record and status against the model, and the event-sourced index against both. */
  async sweep() {
    const { model } = this;
    const context = `sweep after operation ${this.stats.ops}`;
    const ids = model.ids;
    const records = await Promise.all(ids.map((id) => this.read.getKey([id])));
    for (const [i, id] of ids.entries()) {
      expect(normalize(records[i]), `${context}: record of ${id}`).toEqual(normalize(modelRecordView(model, id, model.now)));
      // Every id's first 20 bytes are its owner.
      expect(lower(records[i]!.owner), `${context}: owner of ${id}`).toBe(id.slice(0, 42).toLowerCase());
    }
    // Owner records: as the model says, and unreleasedLineages = the owner's lineage heads not released (0 once revoked).
    for (const owner of this.addresses) {
      // The fuzzed operations never appoint a rotator nor sign: only the cap and the revocation are modelled.
      const { unreleasedLineages, revoked } = await this.read.ownerRecord([owner]);
      const chain = { unreleasedLineages, revoked };
      expect(chain, `${context}: owner record of ${owner}`).toEqual(model.owners.get(owner) ?? { unreleasedLineages: 0, revoked: false });
      const heads = ids.filter((id) => {
        const k = model.keys.get(id)!;
        return k.owner === owner && !k.rotated && !k.released;
      }).length;
      expect(chain.unreleasedLineages, `${context}: unreleased lineages of ${owner}`).toBe(chain.revoked ? 0 : heads);
    }
    for (const [i, id] of ids.entries()) await this.probe(id, i & 15, context);
    // At most two versions of a lineage are valid at once (statuses equal the chain's, checked above).
    const validPerLineage = new Map<Hex, number>();
    for (const id of ids) {
      let root = id;
      while (model.keys.get(root)!.predecessor) root = model.keys.get(root)!.predecessor!;
      if (modelKeyStatus(model.keys.get(id), model.now, 0, model.policy)[0]) validPerLineage.set(root, (validPerLineage.get(root) ?? 0) + 1);
    }
    for (const [root, n] of validPerLineage) expect(n, `${context}: ${n} versions of lineage ${root} valid at once`).toBeLessThanOrEqual(2);
    await this.checkGlobals(context);
    // The registry rebuilt from its logs alone equals the registry.
    expect(normalize(this.index), `${context}: state rebuilt from events`).toEqual(
      normalize({
        keys: model.keys,
        owners: model.owners,
        policy: model.policy,
        governance: model.governance,
        pendingGovernance: model.pendingGovernance,
        guardians: model.guardians,
        scopeNames: model.scopeNames,
      }),
    );
    this.opsSinceSweep = 0;
    this.stats.sweeps++;
  }

  private applyToIndex(log: ReturnType<typeof parseEventLogs<typeof keyRegistryAbi>>[number]) {
    const x = this.index;
    const key = (keyId: Hex) => x.keys.get(keyId)!;
    const owner = (address: Address) => x.owners.get(lower(address)) ?? { unreleasedLineages: 0, revoked: false };
    switch (log.eventName) {
      case "KeyRegistered": {
        const a = log.args;
        const o = owner(a.owner);
        x.owners.set(lower(a.owner), { ...o, unreleasedLineages: o.unreleasedLineages + 1 });
        x.keys.set(a.keyId, {
          owner: lower(a.owner),
          algorithm: a.algorithm,
          state: KeyState.Active,
          version: 1,
          scopes: a.scopes,
          notBefore: a.notBefore,
          expiresAt: a.expiresAt,
          rotated: false,
          label: a.label,
          publicKey: a.publicKey,
          predecessor: undefined,
          originalExpiresAt: 0,
          superseded: false,
          successor: undefined,
          suspendedUntil: 0,
          suspensionSpent: false,
          proof: a.proof,
        });
        break;
      }
      case "KeyRotated": {
        const a = log.args;
        const old = key(a.oldKeyId);
        old.originalExpiresAt = old.expiresAt;
        old.expiresAt = a.oldExpiresAt;
        old.rotated = true;
        old.successor = a.newKeyId;
        const before = old.predecessor ? x.keys.get(old.predecessor) : undefined;
        if (before && before.state !== KeyState.Revoked) before.superseded = true;
        x.keys.set(a.newKeyId, {
          owner: lower(a.owner),
          algorithm: a.algorithm,
          state: KeyState.Active,
          version: a.version,
          scopes: a.scopes,
          notBefore: a.notBefore,
          expiresAt: a.expiresAt,
          rotated: false,
          label: old.label,
          publicKey: a.publicKey,
          predecessor: a.oldKeyId,
          originalExpiresAt: 0,
          superseded: false,
          successor: undefined,
          suspendedUntil: 0,
          suspensionSpent: false,
          proof: a.proof,
        });
        break;
      }
      case "OverlapEnded":
        key(log.args.keyId).expiresAt = log.args.expiresAt;
        break;
      case "OverlapExtended":
        key(log.args.keyId).expiresAt = log.args.expiresAt;
        break;
      case "KeyRevoked": {
        const k = key(log.args.keyId);
        k.state = KeyState.Revoked;
        // A lineage's head supersedes its predecessor (whose running overlap, if any, an
        // OverlapEnded next in the log stops); its place is freed by KeyReleased.
        if (!k.rotated) {
          const before = k.predecessor ? x.keys.get(k.predecessor) : undefined;
          if (before && before.state !== KeyState.Revoked) before.superseded = true;
        }
        break;
      }
      case "KeySuspended": {
        const k = key(log.args.keyId);
        k.state = KeyState.Suspended;
        k.suspendedUntil = log.args.until;
        k.suspensionSpent = true;
        break;
      }
      case "SuspensionExtended":
        key(log.args.keyId).suspendedUntil = log.args.until;
        break;
      case "KeyUnsuspended": {
        const k = key(log.args.keyId);
        k.state = KeyState.Active;
        k.suspendedUntil = 0;
        k.suspensionSpent = false;
        break;
      }
      case "OwnerRevoked":
        x.owners.set(lower(log.args.owner), { unreleasedLineages: 0, revoked: true });
        break;
      case "KeyReleased": {
        const k = key(log.args.keyId);
        expect(k.state === KeyState.Revoked && !k.rotated && !k.released, "KeyReleased names an unreleased revoked head").toBe(true);
        k.released = true;
        const o = owner(k.owner);
        x.owners.set(k.owner, { ...o, unreleasedLineages: o.unreleasedLineages - 1 });
        break;
      }
      case "KeyReleaseSkipped":
        break;
      case "KeySkipped":
        // Nothing changed: the key was already in the target state.
        // A revoked owner's keys are revoked without a per-key event: revoke calls name them
        // Revoked, while unsuspend names a (not suspended) one by its stored state.
        if (!(x.owners.get(key(log.args.keyId).owner)?.revoked && log.args.state === KeyState.Revoked)) {
          expect(key(log.args.keyId).state, "KeySkipped names the state the key is in").toBe(log.args.state);
        }
        break;
      case "PolicyUpdated":
        x.policy = { ...log.args };
        break;
      case "ScopeNamed":
        x.scopeNames[log.args.bit] = log.args.name;
        break;
      case "GuardianUpdated":
        if (log.args.enabled) x.guardians.add(lower(log.args.guardian));
        else x.guardians.delete(lower(log.args.guardian));
        break;
      case "GovernanceTransferStarted":
        x.pendingGovernance = lower(log.args.newGovernance);
        break;
      case "GovernanceTransferred":
        x.governance = lower(log.args.newGovernance);
        x.pendingGovernance = zeroAddress;
        break;
    }
  }
}

class FuzzCommand implements fc.AsyncCommand<RegistryModel, Runner> {
  readonly intent: Intent;
  private resolved: string | undefined;
  constructor(intent: Intent) {
    this.intent = intent;
  }
  check() {
    return true;
  }
  async run(_model: RegistryModel, runner: Runner) {
    this.resolved = await runner.step(this.intent);
  }
  toString() {
    return this.resolved ?? show(this.intent);
  }
}

describe("KeyRegistry stateful fuzz", () => {
  it(`random operations from random actors keep every invariant (${TARGET_OPS} operations)`, { timeout: Math.max(60_000, TARGET_OPS * 100) }, async () => {
    const connection = await network.create();
    const { viem, networkHelpers } = connection;
    const wallets = (await viem.getWalletClients()).slice(0, ACTORS.length);
    const publicClient = await viem.getPublicClient();
    const { registry } = await deployRegistry({
      viem,
      governance: wallets[0]!.account.address,
      policy: FUZZ_POLICY,
      guardians: [wallets[5]!.account.address],
    });
    const runner = new Runner({
      connection,
      publicClient,
      registry,
      wallets,
      snapshot: await networkHelpers.takeSnapshot(),
      chainId: await publicClient.getChainId(),
    });
    const property = fc.asyncProperty(
      fc.commands([intentArb.map((intent) => new FuzzCommand(intent))], { maxCommands: MAX_COMMANDS, size: "max" }),
      async (commands) => {
        await runner.reset();
        await fc.asyncModelRun(() => ({ model: runner.model, real: runner }), commands);
        await runner.sweep();
      },
    );
    const started = performance.now();
    // Shrinking replays whole sequences on the chain; opt in when debugging a failure.
    const shrink = process.env.KEYLEDGER_FUZZ_SHRINK === "1";
    for (let round = 0; runner.stats.ops < TARGET_OPS; round++) {
      await fc.assert(property, { numRuns: 4, seed: SEED + round, endOnFailure: !shrink });
    }
    const s = runner.stats;
    const list = (counts: Map<string, number>) => [...counts].sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name} ${n}`).join(", ");
    console.log(
      [
        `registry fuzz (seed ${SEED}): ${s.ops} operations in ${s.sequences} sequences from ${ACTORS.length} actors, ` +
          `${((performance.now() - started) / 1000).toFixed(1)} s`,
        `  ${s.applied} applied (events, records and ${s.storageWrites} storage writes checked), ` +
          `${s.refused} refused with the predicted custom error and arguments`,
        `  ${s.timeJumps} time jumps, ${s.statusChecks} keyStatus checks (${s.notAllowed} NotAllowed, ${s.suspendedChecks} Suspended, ` +
          `${s.ownerRevokedChecks} OwnerRevoked, ${s.lapsedSuspensions} on lapsed suspensions), ${s.sweeps} full-state sweeps (incl. rebuild from events)`,
        `  ${s.skipped} KeySkipped, ${s.ecdsaProofsChecked} ECDSA records' proofs verified for their owner, ${s.ed25519Copies} Ed25519 copies under the copier's id`,
        `  applied: ${list(s.applications)}`,
        `  refused (${s.refusalKinds.size} distinct operation/error pairs): ${list(s.refusals)}`,
      ].join("\n"),
    );
    expect(s.applied).toBeGreaterThan(0);
    expect(s.refused).toBeGreaterThan(0);
  });
});
