// @vitest-environment jsdom
// Keys from the CLI: encrypted and plaintext key files loaded into the page, and
// the page's own encrypted "save key file" read back by the CLI's reader.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useState } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { computeKeyId, generateKey, type KeyFile } from "../../../src/keys/index.ts";
import { decryptKeyFile } from "../../../src/signer/decryptKeyFile.ts";
import { encryptPrivateKey } from "../../../src/signer/keyFileEncryption.ts";
import { readKeyFile } from "../../../src/signer/keyFile.ts";
import { encryptKeyFile, passphraseProblem } from "../lib/encryptKeyFile.ts";
import { initialNewKey, newKeyProblem, type NewKeyValue } from "./newKey.ts";
import { NewKeyPanel } from "./NewKeyPanel.tsx";

afterEach(cleanup);

const chain = { chainId: 31337, registry: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9", owner: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" } as const;
const N = 2 ** 14;
const passphrase = "correct horse battery";

/** What `keyledger keygen` writes by default (the CLI's own encryption, at a cheap scrypt cost). */
const cliEncrypted = (key: KeyFile) => {
  const { privateKey: _, ...rest } = key;
  return { ...rest, encryptedPrivateKey: encryptPrivateKey({ key, passphrase, N }) };
};

let latest: NewKeyValue = initialNewKey;
let formLabel = "";
function Harness() {
  const [value, setValue] = useState<NewKeyValue>({ ...initialNewKey, source: "import" });
  const [label, setLabel] = useState("");
  formLabel = label;
  latest = value;
  return (
    <NewKeyPanel
      value={value}
      onChange={setValue}
      label={label}
      onLabel={setLabel}
      allowedAlgorithms={0b1110}
      {...chain}
    />
  );
}

const load = (json: unknown, name = "keyledger-bot.json") => {
  const input = screen.getByLabelText("Key file") as HTMLInputElement;
  const file = new File([JSON.stringify(json)], name, { type: "application/json" });
  Object.defineProperty(input, "files", { value: [file], configurable: true });
  fireEvent.change(input);
  return input;
};

describe("loading a key file from the CLI", () => {
  it("asks an encrypted file's passphrase, refuses a wrong one, then takes the key with its label and signs the proof itself", async () => {
    const key = await generateKey({ label: "trading-bot" });
    render(<Harness />);
    const input = load(cliEncrypted(key));
    const field = await screen.findByLabelText("Key file passphrase");
    expect(field.getAttribute("type")).toBe("password");
    expect(formLabel).toBe("trading-bot");
    expect(input.value).toBe("");
    expect(newKeyProblem(latest, 0b1110)).toMatch(/Unlock the key file/);

    fireEvent.change(field, { target: { value: "not the passphrase" } });
    fireEvent.click(screen.getByRole("button", { name: "Unlock key file" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(/Wrong passphrase/);
    expect(latest.key).toBeNull();
    expect((screen.getByLabelText("Key file passphrase") as HTMLInputElement).value).toBe("");

    fireEvent.change(screen.getByLabelText("Key file passphrase"), { target: { value: passphrase } });
    fireEvent.keyDown(screen.getByLabelText("Key file passphrase"), { key: "Enter" });
    await waitFor(() => expect(latest.key?.privateKey?.d).toBe(key.privateKey!.d));
    expect(screen.queryByLabelText("Key file passphrase")).toBeNull();
    expect(screen.getByTestId("imported-key").textContent).toContain("proof of possession is signed here");
    expect(screen.queryByLabelText("Proof of possession (hex)")).toBeNull();
    expect(newKeyProblem(latest, 0b1110)).toBeNull();
    expect(document.body.innerHTML).not.toContain(key.privateKey!.d!);
  });

  it("takes a plaintext file, and the same file chosen again", async () => {
    const key = await generateKey({ alg: "ecdsa-p256-sha256", label: "cli-plain" });
    render(<Harness />);
    const input = load(key);
    // The panel binds the key to the connected wallet: the registry id it will get.
    const registryId = computeKeyId({ publicKey: key.publicKey, owner: chain.owner });
    await waitFor(() => expect(latest.key?.keyId).toBe(registryId));
    expect(formLabel).toBe("cli-plain");
    expect(input.value).toBe("");
    // Discarded by switching sources, then the same file again.
    fireEvent.click(screen.getByRole("radio", { name: "Generate in this browser" }));
    fireEvent.click(screen.getByRole("radio", { name: "Use a key from the CLI" }));
    expect(latest.key).toBeNull();
    load(key);
    await waitFor(() => expect(latest.key?.keyId).toBe(registryId));
    expect(screen.getByTestId("imported-key").textContent).toContain("keyledger-bot.json");
    expect(document.body.innerHTML).not.toContain(key.privateKey!.d!);
  });

  it("clears pasted text that holds a private key once read", async () => {
    const key = await generateKey({ label: "pasted" });
    render(<Harness />);
    const area = screen.getByLabelText("…or paste the key file or a JWK") as HTMLTextAreaElement;
    fireEvent.change(area, { target: { value: JSON.stringify(key) } });
    await waitFor(() => expect(latest.key?.privateKey).toBeDefined());
    expect(area.value).toBe("");
    expect(formLabel).toBe("pasted");
    expect(document.body.innerHTML).not.toContain(key.privateKey!.d!);
    // A private JWK that is not a key file is cleared too, even when it does not belong to a key.
    fireEvent.change(area, { target: { value: JSON.stringify({ ...key.privateKey, x: "AAAA" }) } });
    expect(area.value).toBe("");
    expect(latest.importError).toBeDefined();
  });
});

describe("saving a generated key encrypted", () => {
  it("writes the CLI's format: readKeyFile and decryptKeyFile read it with the passphrase, not without", async () => {
    const key = await generateKey({ label: "saved-in-browser" });
    const file = await encryptKeyFile({ key, passphrase, N });
    expect(JSON.stringify(file)).not.toContain(key.privateKey!.d!);
    expect(file).toMatchObject({ keyId: key.keyId, label: "saved-in-browser", encryptedPrivateKey: { format: "keyledger-scrypt-aes256gcm-v1", kdf: { N, r: 8, p: 1 } } });
    const path = join(mkdtempSync(join(tmpdir(), "keyledger-web-")), "k.json");
    writeFileSync(path, JSON.stringify(file), { mode: 0o600 });
    expect(readKeyFile({ path, passphrase }).privateKey).toEqual(key.privateKey);
    // Still readable once the id becomes the registry's (the ciphertext binds the public key, not the id).
    const bound = join(mkdtempSync(join(tmpdir(), "keyledger-web-")), "bound.json");
    writeFileSync(bound, JSON.stringify({ ...file, keyId: computeKeyId({ publicKey: key.publicKey, owner: chain.owner }) }), { mode: 0o600 });
    expect(readKeyFile({ path: bound, passphrase }).privateKey).toEqual(key.privateKey);
    expect(() => readKeyFile({ path, passphrase: "wrong passphrase" })).toThrow(/wrong passphrase/);
    expect((await decryptKeyFile({ file, passphrase })).privateKey).toEqual(key.privateKey);
  });

  it("asks for a passphrase of 8+ characters typed twice", () => {
    expect(passphraseProblem("short", "short")).toMatch(/at least 8/);
    expect(passphraseProblem("long enough", "long enougj")).toMatch(/differ/);
    expect(passphraseProblem("long enough", "long enough")).toBeNull();
  });
});
