import { describe, expect, it } from "vitest";
import { generateKey } from "../../../src/keys/index.ts";
import { createApiMetrics } from "../../../src/server/createApiMetrics.ts";
import { type SignableRequest, signRequest } from "../../../src/signer/index.ts";
import { keyUsage } from "./keyUsage.ts";
import { parsePrometheus } from "./parsePrometheus.ts";
import { parseRawRequest } from "./parseRawRequest.ts";
import { signatureSummary } from "./signatureSummary.ts";

describe("parsePrometheus", () => {
  it("reads samples with labels, escapes, special values and timestamps; skips comments", () => {
    const text = [
      "# HELP x_total Something.",
      "# TYPE x_total counter",
      'x_total{route="/v1/prices",reason="key-revoked"} 3',
      'x_total{label="a \\"quoted\\" \\\\ name\\nline"} 1.5 1700000000000',
      "up 1",
      'bucket{le="+Inf"} +Inf',
      "not a sample line",
      "",
    ].join("\n");
    expect(parsePrometheus(text)).toEqual([
      { name: "x_total", labels: { route: "/v1/prices", reason: "key-revoked" }, value: 3 },
      { name: "x_total", labels: { label: 'a "quoted" \\ name\nline' }, value: 1.5 },
      { name: "up", labels: {}, value: 1 },
      { name: "bucket", labels: { le: "+Inf" }, value: Infinity },
    ]);
  });
});

describe("keyUsage", () => {
  it("reads requests and last use per key from the reference API's own metrics", async () => {
    const metrics = createApiMetrics({ processMetrics: false });
    const v1 = "0x" + "a1".repeat(32);
    const v2 = "0x" + "B2".repeat(32);
    metrics.verified("/v1/prices", { keyId: v1, version: 1, label: "bot" }, 1_700_000_000_000);
    metrics.verified("/v1/orders", { keyId: v1, version: 1, label: "bot" }, 1_700_000_060_000);
    metrics.verified("/v1/prices", { keyId: v2, version: 2, label: "bot" }, 1_700_000_030_000);
    metrics.rejected("/v1/prices", "key-revoked");
    const usage = keyUsage(parsePrometheus(await metrics.registry.metrics()));
    expect(usage.get(v1)).toEqual({ requests: 2, lastUsed: 1_700_000_060 });
    expect(usage.get(v2.toLowerCase())).toEqual({ requests: 1, lastUsed: 1_700_000_030 });
    expect(usage.size).toBe(2);
  });
});

describe("parseRawRequest", () => {
  it("splits a pasted request into line, headers and body, with \\r\\n or \\n line ends", () => {
    const parsed = parseRawRequest('POST /v1/orders?x=1 HTTP/1.1\r\nHost: api.example\r\nContent-Type: application/json\r\nX-Folded: a\r\n  b\r\n\r\n{"pair":"ETH-USD"}');
    expect(parsed).toEqual({
      ok: true,
      request: {
        method: "POST",
        target: "/v1/orders?x=1",
        headers: [
          ["host", "api.example"],
          ["content-type", "application/json"],
          ["x-folded", "a b"],
        ],
        body: '{"pair":"ETH-USD"}',
      },
    });
    expect(parseRawRequest("\nGET /v1/prices\nhost: a\n")).toMatchObject({ ok: true, request: { method: "GET", body: "" } });
  });

  it("says what is wrong with something that is not a request", () => {
    expect(parseRawRequest("hello world")).toMatchObject({ ok: false, message: expect.stringContaining("request line") });
    expect(parseRawRequest("GET / HTTP/1.1\nno colon here")).toMatchObject({ ok: false, message: expect.stringContaining("not a header line") });
  });
});

describe("signatureSummary", () => {
  it("shows what a real signature claims", async () => {
    const key = await generateKey({ label: "bot" });
    const signed = await signRequest<SignableRequest>(
      { method: "POST", url: "https://api.example/v1/orders", headers: { "content-type": "application/json" }, body: '{"pair":"ETH-USD"}' },
      { key, created: 1_795_829_235, nonce: "n0nce" },
    );
    const headers = Object.entries(signed.headers as Record<string, string>).map(([n, v]) => `${n}: ${v}`);
    const parsed = parseRawRequest(["POST /v1/orders HTTP/1.1", "host: api.example", ...headers, "", '{"pair":"ETH-USD"}'].join("\n"));
    if (!parsed.ok) throw new Error(parsed.message);
    expect(signatureSummary(parsed.request)).toEqual({
      ok: true,
      signatures: [
        {
          label: "sig",
          components: ["@method", "@authority", "@path", "content-digest"],
          keyId: key.keyId,
          alg: "ed25519",
          created: 1_795_829_235,
          expires: undefined,
          nonce: "n0nce",
        },
      ],
    });
  });

  it("reports a missing or broken Signature-Input", () => {
    expect(signatureSummary({ method: "GET", target: "/", headers: [], body: "" })).toMatchObject({ ok: false, message: expect.stringContaining("no Signature-Input") });
    expect(signatureSummary({ method: "GET", target: "/", headers: [["signature-input", "sig=(@method"]], body: "" })).toMatchObject({ ok: false });
  });
});
