// The Safe signing request's pure parts: build, sign, add, merge, assemble, with real
// secp256k1 accounts (viem) signing the SafeMessage exactly as a wallet does. The same
// signature against a real Safe 1.5 is in safeSigningChain.test.ts.
import { type Address, getAddress, hashTypedData, type Hex, concat, slice, hexToNumber, numberToHex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { describe, expect, it, vi } from "vitest";
import { setRotatorForTypedData } from "../../../../src/chain/signedOperations/setRotatorForTypedData.ts";
import { registryOperationTypedData } from "../../../../src/chain/signedOperations/registryOperationTypedData.ts";
import type { RegistryOperation } from "../../../../src/chain/signedOperations/types.ts";
import { addSafeSignature } from "./addSafeSignature.ts";
import { assembleSafeSignature } from "./assembleSafeSignature.ts";
import { createSafeSigningRequest } from "./createSafeSigningRequest.ts";
import { mergeSafeSigningRequest } from "./mergeSafeSigningRequest.ts";
import { parseSafeSigningRequest } from "./parseSafeSigningRequest.ts";
import { prepareSafeSigningRequest, safeDeadlineSeconds } from "./prepareSafeSigningRequest.ts";
import { safeMessageTypedData } from "./safeMessageTypedData.ts";
import type { SafeSigningRequest } from "./safeSigningRequest.ts";

const accounts = Array.from({ length: 4 }, () => privateKeyToAccount(generatePrivateKey()));
const owners = accounts.slice(0, 3).map((a) => a.address);
const stranger = accounts[3]!;
const safe = getAddress("0x1000000000000000000000000000000000000001");
const registry = getAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3");
const revoke: RegistryOperation = { operation: "revoke", keyId: `0x${"ab".repeat(32)}`, reason: "retired" };
const base: { chainId: number; registry: Address; safe: Address; owners: Address[]; threshold: number; nonce: bigint; deadline: bigint; operation: RegistryOperation } = { chainId: 31337, registry, safe, owners, threshold: 2, nonce: 3n, deadline: 2_000_000n, operation: revoke };

const signAs = (account: (typeof accounts)[number], request: SafeSigningRequest) =>
  account.signTypedData(safeMessageTypedData({ chainId: request.chainId, safe: request.safe, message: request.registryDigest }));

describe("createSafeSigningRequest", () => {
  it("binds the registry's digest for owner = the Safe, and the SafeMessage hash over it in the Safe's domain", () => {
    const request = createSafeSigningRequest(base);
    const digest = hashTypedData(registryOperationTypedData({ chainId: 31337, registry, owner: safe, nonce: 3n, deadline: 2_000_000n, operation: revoke }) as never);
    expect(request).toMatchObject({ kind: "keyledger-safe-signing-request", version: 1, safe, nonce: "3", deadline: "2000000", registryDigest: digest, signatures: [] });
    expect(request.safeMessageHash).toBe(
      hashTypedData({ domain: { chainId: 31337, verifyingContract: safe }, types: { SafeMessage: [{ name: "message", type: "bytes" }] }, primaryType: "SafeMessage", message: { message: digest } }),
    );
    // JSON round trip: the file is plain JSON and reads back to the same request.
    expect(parseSafeSigningRequest(JSON.stringify(request))).toEqual({ ok: true, request });
  });
});

describe("prepareSafeSigningRequest", () => {
  it("turns setRotator(rotator) into the registry's SetRotator for owner = the Safe, simulated as the Safe, with its nonce and a day's deadline", async () => {
    const rotator = getAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    const client = {
      simulateContract: vi.fn(async () => ({})),
      readContract: vi.fn(async () => 5n),
      getBlock: vi.fn(async () => ({ timestamp: 1_000n })),
    };
    const request = await prepareSafeSigningRequest({ client, chainId: 31337, registry, safe: { safe, owners, threshold: 2 }, call: { functionName: "setRotator", args: [rotator] } });
    expect(client.simulateContract).toHaveBeenCalledWith(expect.objectContaining({ account: safe, address: registry, functionName: "setRotator", args: [rotator] }));
    expect(client.readContract).toHaveBeenCalledWith(expect.objectContaining({ functionName: "nonces", args: [safe] }));
    const deadline = 1_000n + BigInt(safeDeadlineSeconds);
    expect(request).toMatchObject({ safe, nonce: "5", deadline: deadline.toString(), operation: { operation: "setRotator", rotator } });
    expect(request.registryDigest).toBe(hashTypedData(setRotatorForTypedData({ chainId: 31337, registry, owner: safe, nonce: 5n, deadline, rotator })));
  });
});

describe("addSafeSignature", () => {
  it("takes an owner's EIP-712 signature, and an eth_sign one (v + 4) as the Safe does", async () => {
    const request = createSafeSigningRequest(base);
    const first = await addSafeSignature({ request, owners, signature: await signAs(accounts[0]!, request) });
    expect(first).toMatchObject({ ok: true, signer: owners[0] });
    const raw = await accounts[1]!.signMessage({ message: { raw: request.safeMessageHash } });
    const ethSign = concat([slice(raw, 0, 64), numberToHex(hexToNumber(slice(raw, 64, 65)) + 4, { size: 1 })]);
    const second = await addSafeSignature({ request: first.ok ? first.request : request, owners, signature: ethSign });
    expect(second).toMatchObject({ ok: true, signer: owners[1] });
    expect(second.ok && second.request.signatures.map((s) => s.owner)).toEqual([owners[0], owners[1]]);
  });

  it("refuses a non-owner, a duplicate, a signature for another request, and a malformed one, each in words", async () => {
    const request = createSafeSigningRequest(base);
    expect(await addSafeSignature({ request, owners, signature: await signAs(stranger, request) })).toMatchObject({
      ok: false,
      problem: "not-owner",
      signer: stranger.address,
      message: expect.stringContaining(`recovers to ${stranger.address}, which is not an owner of the Safe`),
    });
    const signed = await addSafeSignature({ request, owners, signature: await signAs(accounts[0]!, request) });
    if (!signed.ok) throw new Error(signed.message);
    expect(await addSafeSignature({ request: signed.request, owners, signature: await signAs(accounts[0]!, request) })).toMatchObject({
      ok: false,
      problem: "duplicate",
      message: `${owners[0]} has already signed this request: each owner counts once.`,
    });
    // Signed for the next nonce: names the owner it claims, and why it does not verify.
    const other = createSafeSigningRequest({ ...base, nonce: 4n });
    expect(await addSafeSignature({ request, owners, signature: await signAs(accounts[1]!, other), owner: owners[1] })).toMatchObject({
      ok: false,
      problem: "wrong-signer",
      message: expect.stringContaining(`said to be from ${owners[1]} is not theirs over this request's message`),
    });
    expect(await addSafeSignature({ request, owners, signature: "0x1234" })).toMatchObject({ ok: false, problem: "malformed" });
    expect(await addSafeSignature({ request, owners, signature: `0x${"11".repeat(64)}00` as Hex })).toMatchObject({ ok: false, problem: "malformed", message: expect.stringContaining("v = 0") });
  });
});

describe("mergeSafeSigningRequest", () => {
  it("takes another owner's copy of the same request, and refuses copies for another chain, Safe, nonce, deadline or operation", async () => {
    const mine = createSafeSigningRequest(base);
    const theirs = createSafeSigningRequest(base);
    const theirsSigned = { ...theirs, signatures: [{ owner: owners[2]!, signature: await signAs(accounts[2]!, theirs) }, { owner: stranger.address, signature: await signAs(stranger, theirs) }] };
    const merged = await mergeSafeSigningRequest({ current: mine, imported: theirsSigned, owners });
    expect(merged).toMatchObject({ ok: true, added: [owners[2]], refused: [{ owner: stranger.address, message: expect.stringContaining("is not an owner of the Safe") }] });
    // The same file again: its signature is already counted (not a second vote, not an error).
    const current = merged.ok ? merged.request : mine;
    const again = await mergeSafeSigningRequest({ current, imported: theirsSigned, owners });
    expect(again).toMatchObject({ ok: true, added: [], alreadyCounted: [owners[2]], refused: [{ owner: stranger.address }] });
    // The same owner with another signature (signed again): a duplicate, refused by name.
    const raw = await accounts[2]!.signMessage({ message: { raw: theirs.safeMessageHash } });
    const ethSign = concat([slice(raw, 0, 64), numberToHex(hexToNumber(slice(raw, 64, 65)) + 4, { size: 1 })]);
    const twice = await mergeSafeSigningRequest({ current, imported: { ...theirs, signatures: [{ owner: owners[2]!, signature: ethSign }] }, owners });
    expect(twice).toMatchObject({ ok: true, added: [], refused: [{ message: `${owners[2]} has already signed this request: each owner counts once.` }] });

    const refused = async (change: Partial<typeof base>) => {
      const result = await mergeSafeSigningRequest({ current: mine, imported: createSafeSigningRequest({ ...base, ...change }), owners });
      return result.ok ? "accepted" : result.message;
    };
    expect(await refused({ chainId: 1 })).toBe("This request is for chain 1; this one is on chain 31337.");
    expect(await refused({ safe: getAddress("0x2000000000000000000000000000000000000002") })).toMatch(/another Safe/);
    expect(await refused({ nonce: 4n })).toMatch(/nonce 4; this one uses 3/);
    expect(await refused({ deadline: 9n })).toMatch(/another deadline/);
    expect(await refused({ operation: { operation: "extendOverlap", keyId: revoke.keyId, expiresAt: 5 } })).toMatch(/another operation \(extendOverlap, not revoke\)/);
    expect(await refused({ operation: { ...revoke, reason: "compromised" } })).toMatch(/a different revoke: its arguments differ/);
  });
});

describe("parseSafeSigningRequest", () => {
  it("refuses what is not a request, an invalid operation, and an edited file", () => {
    const request = createSafeSigningRequest(base);
    expect(parseSafeSigningRequest("{")).toMatchObject({ ok: false, message: expect.stringContaining("not JSON") });
    expect(parseSafeSigningRequest(JSON.stringify({ keyId: "0x" }))).toMatchObject({ ok: false, message: expect.stringContaining("not a Safe signing request") });
    expect(parseSafeSigningRequest(JSON.stringify({ ...request, operation: { ...revoke, keyId: "0x12" } }))).toMatchObject({ ok: false, message: expect.stringContaining("keyId must be 32 bytes") });
    // The reason changed without the hashes: refused, not silently re-hashed.
    expect(parseSafeSigningRequest(JSON.stringify({ ...request, operation: { ...revoke, reason: "other" } }))).toMatchObject({ ok: false, message: expect.stringContaining("registryDigest does not match") });
    expect(parseSafeSigningRequest(JSON.stringify({ ...request, signatures: [{ owner: owners[0], signature: "0x12" }] }))).toMatchObject({ ok: false, message: expect.stringContaining("Signature 1") });
  });
});

describe("assembleSafeSignature", () => {
  it("concatenates exactly threshold signatures in ascending owner order, and refuses below the threshold", async () => {
    let request = createSafeSigningRequest(base);
    for (const account of [...accounts.slice(0, 3)].reverse()) {
      const added = await addSafeSignature({ request, owners, signature: await signAs(account, request) });
      if (!added.ok) throw new Error(added.message);
      request = added.request;
      if (request.signatures.length === 1) expect(() => assembleSafeSignature({ request, threshold: 2 })).toThrow("1 collected, 1 missing");
    }
    const sorted = [...request.signatures].sort((a, b) => (BigInt(a.owner) < BigInt(b.owner) ? -1 : 1));
    const { signature, signers } = assembleSafeSignature({ request, threshold: 2 });
    expect(signers).toEqual(sorted.slice(0, 2).map((s) => s.owner as Address));
    expect(signature).toBe(concat(sorted.slice(0, 2).map((s) => s.signature)));
  });
});
