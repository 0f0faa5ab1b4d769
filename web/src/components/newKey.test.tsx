// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { useState } from "react";
import { hexToBytes, toHex } from "viem";
import { afterEach, describe, expect, it } from "vitest";
import { base64UrlToBytes, bindKeyId, computeKeyId, generateKey, proofOfPossessionMessage } from "../../../src/keys/index.ts";
import { parseKeyInput } from "../lib/parseKeyInput.ts";
import { initialNewKey, newKeyProblem, type NewKeyValue, toChainKey } from "./newKey.ts";
import { NewKeyPanel } from "./NewKeyPanel.tsx";

afterEach(cleanup);

const chain = { chainId: 31337, registry: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9", owner: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" } as const;
const allAlgorithms = 0b1110;

describe("parseKeyInput", () => {
  it("takes a CLI key file with its private key, recomputing the key id", async () => {
    const key = await generateKey({ alg: "ecdsa-p256-sha256", label: "cli" });
    const parsed = parseKeyInput(JSON.stringify(key), "ignored");
    expect(parsed).toMatchObject({ ok: true, alg: "ecdsa-p256-sha256", keyId: key.keyId, hasPrivateKey: true, key: { label: "cli" } });
  });

  it("takes a bare public JWK and labels it with the form's label", async () => {
    const { publicKey, keyId } = await generateKey({ label: "x" });
    expect(parseKeyInput(JSON.stringify(publicKey), "from form")).toMatchObject({ ok: true, keyId, hasPrivateKey: false, key: { label: "from form" } });
  });

  it("refuses a file whose key id does not match its key, a foreign private key, and non-keys", async () => {
    const a = await generateKey({ label: "a" });
    const b = await generateKey({ label: "b" });
    expect(parseKeyInput(JSON.stringify({ ...a, keyId: b.keyId }), "")).toMatchObject({ ok: false, message: expect.stringContaining("does not belong to its public key") });
    // A registry id is accepted only for the owner it names (the CLI writes it into the file at registration).
    const registered = bindKeyId({ key: a, owner: chain.owner });
    expect(parseKeyInput(JSON.stringify(registered), "")).toMatchObject({ ok: true, keyId: a.keyId });
    const forged = `0x70997970c51812dc3a010c7d01b50e0d17dc79c8${registered.keyId.slice(42)}`;
    expect(parseKeyInput(JSON.stringify({ ...a, keyId: forged }), "")).toMatchObject({ ok: false });
    expect(parseKeyInput(JSON.stringify({ ...a, privateKey: b.privateKey }), "")).toMatchObject({ ok: false, message: expect.stringContaining("does not belong") });
    expect(parseKeyInput("{not json", "")).toMatchObject({ ok: false, message: expect.stringContaining("not JSON") });
    expect(parseKeyInput('{"kty":"RSA","n":"x","e":"AQAB","x":"a"}', "")).toMatchObject({ ok: false });
    expect(parseKeyInput("[]", "")).toMatchObject({ ok: false });
  });
});

describe("newKeyProblem", () => {
  it("walks the user through: generate, save, then register", async () => {
    const key = await generateKey({ label: "bot" });
    expect(newKeyProblem(initialNewKey, allAlgorithms)).toBe("Generate the key pair first.");
    expect(newKeyProblem({ ...initialNewKey, key }, allAlgorithms)).toMatch(/^Save the private key file first/);
    expect(newKeyProblem({ ...initialNewKey, key, saved: true }, allAlgorithms)).toBeNull();
    expect(newKeyProblem({ ...initialNewKey, key, saved: true }, 0b0100)).toBe("The DAO's policy does not allow this algorithm.");
  });

  it("needs a 64-byte proof for a public-only key", async () => {
    const { privateKey: _, ...publicOnly } = await generateKey({ label: "bot" });
    const value: NewKeyValue = { ...initialNewKey, source: "import", key: publicOnly, saved: true };
    expect(newKeyProblem(value, allAlgorithms)).toMatch(/proof of possession/);
    expect(newKeyProblem({ ...value, proof: toHex(new Uint8Array(64)) }, allAlgorithms)).toBeNull();
    expect(newKeyProblem({ ...value, proof: toHex(new Uint8Array(63)) }, allAlgorithms)).toMatch(/proof of possession/);
  });
});

describe("toChainKey", () => {
  it("builds the registry's NewKey with a proof of possession that verifies", async () => {
    const key = await generateKey({ label: "bot" });
    const chainKey = await toChainKey({ value: { ...initialNewKey, key, saved: true }, ...chain, scopes: 3, notBefore: 100, expiresAt: 200 });
    expect(chainKey).toMatchObject({ algorithm: 1, scopes: 3, notBefore: 100, expiresAt: 200 });
    expect(hexToBytes(chainKey.publicKey)).toEqual(base64UrlToBytes(key.publicKey.x));
    const publicKey = await crypto.subtle.importKey("jwk", key.publicKey as JsonWebKey, { name: "Ed25519" }, false, ["verify"]);
    // Signed for the id the registry gives this owner (ids are namespaced per owner).
    const message = proofOfPossessionMessage({ ...chain, keyId: computeKeyId({ publicKey: key.publicKey, owner: chain.owner }) });
    expect(await crypto.subtle.verify({ name: "Ed25519" }, publicKey, hexToBytes(chainKey.proof) as Uint8Array<ArrayBuffer>, message as Uint8Array<ArrayBuffer>)).toBe(true);
  });
});

function Harness({ label = "trading bot", onValue }: { label?: string; onValue?: (v: NewKeyValue) => void }) {
  const [value, setValue] = useState(initialNewKey);
  return (
    <NewKeyPanel
      value={value}
      onChange={(next) => {
        setValue(next);
        onValue?.(next);
      }}
      label={label}
      allowedAlgorithms={0b0110}
      {...chain}
    />
  );
}

describe("NewKeyPanel", () => {
  it("generates a key pair in the page and asks to save it before anything else", async () => {
    let latest = initialNewKey;
    render(<Harness onValue={(v) => (latest = v)} />);
    expect(screen.getByRole("combobox", { name: "Algorithm" }).textContent).toBe("Ed25519 (recommended)ECDSA P-256");
    fireEvent.click(screen.getByRole("button", { name: "Generate key pair" }));
    await waitFor(() => expect(screen.getByTestId("generated-key")).toBeDefined());
    expect(latest.key?.privateKey?.d).toBeTypeOf("string");
    expect(screen.getByTestId("generated-key").textContent).toContain(latest.key!.keyId);
    // The id is the one the connected wallet gets when it registers the key.
    expect(latest.key!.keyId).toBe(computeKeyId({ publicKey: latest.key!.publicKey, owner: chain.owner }));
    expect(screen.getByText(/Save the private key file now/)).toBeDefined();
    expect(screen.getByRole("button", { name: "Save encrypted key file" })).toBeDefined();
    expect(screen.getByLabelText("Passphrase for the key file").getAttribute("type")).toBe("password");
    expect(screen.getByText(/chmod 600/)).toBeDefined();
  });

  it("cannot generate without a label", () => {
    render(<Harness label="" />);
    expect(screen.getByRole("button", { name: "Generate key pair" })).toHaveProperty("disabled", true);
  });

  it("takes a pasted public key from the CLI and shows the bytes its proof must sign", async () => {
    const { privateKey: _, ...publicOnly } = await generateKey({ label: "cli" });
    render(<Harness />);
    fireEvent.click(screen.getByRole("radio", { name: "Use a key from the CLI" }));
    fireEvent.change(screen.getByLabelText("…or paste the key file or a JWK"), { target: { value: JSON.stringify(publicOnly) } });
    expect(screen.getByText(/public key only/)).toBeDefined();
    const message = toHex(proofOfPossessionMessage({ ...chain, keyId: computeKeyId({ publicKey: publicOnly.publicKey, owner: chain.owner }) }));
    expect(screen.getByText(message)).toBeDefined();
    expect(screen.getByLabelText("Proof of possession (hex)")).toBeDefined();
  });

  it("shows why a pasted text is not a key", () => {
    render(<Harness />);
    fireEvent.click(screen.getByRole("radio", { name: "Use a key from the CLI" }));
    const field = screen.getByLabelText("…or paste the key file or a JWK");
    fireEvent.change(field, { target: { value: "hello" } });
    expect(field.getAttribute("aria-invalid")).toBe("true");
    expect(document.getElementById(field.getAttribute("aria-describedby")!.split(" ")[1]!)?.textContent).toContain("not JSON");
  });
});
