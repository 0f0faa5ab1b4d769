// @vitest-environment jsdom
// The Try it panel: the key held in the page's memory (or an encrypted key file
// unlocked here) signs a test request and the API's verdict is shown. The API is a
// stand-in answering as the reference API does (sendTestRequest.test.ts runs the
// real one); it checks that the request arrives signed.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import type { Hex } from "viem";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { generateKey, type KeyFile } from "../../../../src/keys/index.ts";
import { encryptPrivateKey } from "../../../../src/signer/keyFileEncryption.ts";
import { forgetKey, heldKey, holdKey } from "../../lib/heldKeys.ts";
import { RuntimeContext, type RuntimeContextValue } from "../../runtime/RuntimeContext.ts";
import TryItPanel from "./TryItPanel.tsx";

let reader: KeyFile;
let revoked: KeyFile;
let unknown: KeyFile;
const page = "http://dapp.test/api";
const signingUrl = "http://127.0.0.1:8787";
const requests: { url: string; keyid: string | undefined }[] = [];

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const api: typeof fetch = async (input, init) => {
  const headers = new Headers(init?.headers);
  const keyid = /keyid="([^"]+)"/.exec(headers.get("signature-input") ?? "")?.[1];
  requests.push({ url: String(input), keyid });
  if (!headers.get("signature")) return json(401, { error: "missing-signature", message: "no signature" });
  if (keyid === revoked.keyId) return json(401, { error: "key-revoked", message: `key ${keyid} is revoked` });
  return json(200, { prices: [{}, {}, {}, {}] });
};

beforeAll(async () => {
  [reader, revoked, unknown] = await Promise.all([generateKey({ label: "reader" }), generateKey({ label: "gone" }), generateKey({ label: "stranger" })]);
});

afterEach(() => {
  cleanup();
  for (const key of [reader, revoked, unknown]) forgetKey(key.keyId);
});

function renderPanel(key: KeyFile, scopes: string[] = ["read"], apiUrl: string | null = page) {
  const value = { runtime: { apiUrl, apiSigningUrl: apiUrl && signingUrl }, client: {}, indexer: null, isLocal: true, pollingInterval: 1_000 } as unknown as RuntimeContextValue;
  return render(
    <RuntimeContext.Provider value={value}>
      <TryItPanel keyId={key.keyId as Hex} name={`${key.label} v1`} scopes={scopes} fetch={api} />
    </RuntimeContext.Provider>,
  );
}

const send = async () => {
  fireEvent.click(screen.getByTestId("try-send"));
  return waitFor(() => screen.getByTestId("try-verdict"));
};

describe("Try it panel", () => {
  it("sends a request signed with the key held in the page and shows the API's verdict", async () => {
    holdKey(reader);
    renderPanel(reader);
    expect(screen.getByTestId("try-key-held")).toBeTruthy();
    const verdict = await send();
    expect(verdict.getAttribute("data-status")).toBe("200");
    expect(verdict.getAttribute("data-reason")).toBe("accepted");
    expect(verdict.textContent).toContain("Accepted: HTTP 200");
    expect(verdict.textContent).toContain("4 prices");
    expect(verdict.textContent).toContain(`Signed for ${signingUrl}/v1/prices`);
    expect(requests.at(-1)).toEqual({ url: `${page}/v1/prices`, keyid: reader.keyId });
    expect(document.body.innerHTML).not.toContain(reader.privateKey!.d!);
  });

  it("shows a rejection with its reason code, explanation and the verifier's message", async () => {
    holdKey(revoked);
    renderPanel(revoked);
    const verdict = await send();
    expect(verdict.getAttribute("data-status")).toBe("401");
    expect(verdict.getAttribute("data-reason")).toBe("key-revoked");
    expect(verdict.textContent).toContain("Rejected: HTTP 401 key-revoked");
    expect(verdict.textContent).toContain("The key was revoked.");
    expect(verdict.textContent).toContain("The verifier says:");
  });

  it("offers the trade test first for a key that only trades", () => {
    holdKey(unknown);
    renderPanel(unknown, ["trade"]);
    expect((screen.getByRole("radio", { name: /POST \/v1\/orders/ }) as HTMLInputElement).checked).toBe(true);
  });

  it("unlocks an encrypted key file for this key only, holds it, and forgets it on request", async () => {
    const passphrase = "correct horse battery";
    const encrypted = (key: KeyFile) => {
      const { privateKey: _, ...rest } = key;
      return JSON.stringify({ ...rest, encryptedPrivateKey: encryptPrivateKey({ key, passphrase, N: 2 ** 14 }) });
    };
    renderPanel(reader);
    expect((screen.getByTestId("try-send") as HTMLButtonElement).disabled).toBe(true);
    const paste = screen.getByLabelText("…or paste the key file");
    // Another key's file is refused, not used.
    fireEvent.change(paste, { target: { value: encrypted(unknown) } });
    expect(screen.getByText(/This file holds key .*, not /)).toBeTruthy();
    // A public-only file cannot sign.
    fireEvent.change(paste, { target: { value: JSON.stringify({ ...reader, privateKey: undefined }) } });
    expect(screen.getByText(/has no private key/)).toBeTruthy();

    fireEvent.change(paste, { target: { value: encrypted(reader) } });
    expect((paste as HTMLTextAreaElement).value).toBe("");
    fireEvent.change(screen.getByLabelText(/Passphrase of/), { target: { value: "wrong passphrase" } });
    fireEvent.click(screen.getByRole("button", { name: "Unlock key file" }));
    await screen.findByText(/Wrong passphrase/);
    fireEvent.change(screen.getByLabelText(/Passphrase of/), { target: { value: passphrase } });
    fireEvent.click(screen.getByRole("button", { name: "Unlock key file" }));
    await screen.findByTestId("try-key-held");
    expect(heldKey(reader.keyId)?.privateKey?.d).toBe(reader.privateKey!.d);
    expect((await send()).getAttribute("data-status")).toBe("200");
    expect(document.body.innerHTML).not.toContain(reader.privateKey!.d!);

    fireEvent.click(screen.getByTestId("try-forget"));
    expect(heldKey(reader.keyId)).toBeUndefined();
    expect(screen.getByTestId("try-load-key")).toBeTruthy();
  });

  it("a plaintext key file pasted is read and cleared from the field at once", () => {
    renderPanel(reader);
    const paste = screen.getByLabelText("…or paste the key file") as HTMLTextAreaElement;
    fireEvent.change(paste, { target: { value: JSON.stringify(reader) } });
    expect(screen.getByTestId("try-key-held")).toBeTruthy();
    expect(document.body.innerHTML).not.toContain(reader.privateKey!.d!);
  });

  it("says so when no reference API is configured", () => {
    renderPanel(reader, ["read"], null);
    expect(screen.getByText(/No reference API is configured/)).toBeTruthy();
  });
});
