// @vitest-environment jsdom
// The one passphrase-unlock UI for encrypted key files (Register/Rotate's key pair, Try it's
// signing key), with a file encrypted by the CLI's own code and decrypted by the page's.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { generateKey, type KeyFile } from "../../../src/keys/index.ts";
import { encryptPrivateKey } from "../../../src/signer/keyFileEncryption.ts";
import { UnlockKeyFile } from "./UnlockKeyFile.tsx";

afterEach(cleanup);

const passphrase = "correct horse battery";
let key: KeyFile;
let file: unknown;

beforeAll(async () => {
  key = await generateKey({ label: "bot" });
  const { privateKey: _, ...rest } = key;
  file = { ...rest, encryptedPrivateKey: encryptPrivateKey({ key, passphrase, N: 2 ** 14 }) };
});

const field = () => screen.getByLabelText("Key file passphrase") as HTMLInputElement;

describe("UnlockKeyFile", () => {
  it("has focus when shown; a wrong passphrase says so, tied to the field, and keeps the file; the right one hands over the key; the field is cleared after each use", async () => {
    const onUnlocked = vi.fn();
    render(<UnlockKeyFile file={file} label="Key file passphrase" note="bot.json is encrypted." onUnlocked={onUnlocked} />);
    expect(document.activeElement).toBe(field());
    expect(screen.getByText("bot.json is encrypted.")).toBeTruthy();
    const button = screen.getByRole("button", { name: "Unlock key file" }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);

    fireEvent.change(field(), { target: { value: "not the passphrase" } });
    fireEvent.click(button);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe("Wrong passphrase, or the file was changed. Try again.");
    expect(field().getAttribute("aria-invalid")).toBe("true");
    expect(field().getAttribute("aria-describedby")).toBe(alert.id);
    expect(field().value).toBe("");
    expect(document.activeElement).toBe(field());
    expect(onUnlocked).not.toHaveBeenCalled();

    // Nothing lost: the same file, the right passphrase, Enter.
    fireEvent.change(field(), { target: { value: passphrase } });
    fireEvent.keyDown(field(), { key: "Enter" });
    await waitFor(() => expect(onUnlocked).toHaveBeenCalledTimes(1));
    expect(onUnlocked.mock.calls[0]![0]).toMatchObject({ keyId: key.keyId, privateKey: key.privateKey, label: "bot" });
    expect(field().value).toBe("");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("shows the page's refusal of a decrypted key (a file for another key) like a wrong passphrase", async () => {
    render(<UnlockKeyFile file={file} label="Key file passphrase" onUnlocked={() => "This file holds key 0x12…3456, not 0xab…cdef."} />);
    fireEvent.change(field(), { target: { value: passphrase } });
    fireEvent.click(screen.getByRole("button", { name: "Unlock key file" }));
    expect((await screen.findByRole("alert")).textContent).toBe("This file holds key 0x12…3456, not 0xab…cdef.");
    expect(field().value).toBe("");
  });
});
