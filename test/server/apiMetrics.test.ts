import { describe, expect, it } from "vitest";
import { createApiMetrics } from "../../src/server/index.ts";

describe("API metrics", () => {
  it("gives the first maxKeySeries key ids their own series and counts the rest under other", async () => {
    const metrics = createApiMetrics({ processMetrics: false, maxKeySeries: 2 });
    for (const keyId of ["0xa", "0xb", "0xc", "0xd", "0xa", "0xc"]) metrics.verified("/v1/prices", { keyId, version: 1, label: `app ${keyId}` }, 1_800_000_000_000);
    const text = await metrics.registry.metrics();
    expect(text).toContain('keyledger_api_key_requests_total{key_id="0xa",version="1",label="app 0xa"} 2');
    expect(text).toContain('keyledger_api_key_requests_total{key_id="0xb",version="1",label="app 0xb"} 1');
    expect(text).toContain('keyledger_api_key_requests_total{key_id="other",version="",label=""} 3');
    expect(text).toContain('keyledger_api_key_last_used_timestamp_seconds{key_id="other",version="",label=""} 1800000000');
    expect(text).not.toContain("0xc");
    expect(text).toContain('keyledger_api_requests_verified_total{route="/v1/prices"} 6');
    // The version as a value (for the old-version alert), under the same cap: no series for 0xc, 0xd.
    expect(text).toContain('keyledger_api_key_version{key_id="0xa",label="app 0xa"} 1');
    expect(text.match(/^keyledger_api_key_version\{/gm)).toHaveLength(2);
    // The key's expiry, for the "expires soon" alert, under the same cap.
    metrics.verified("/v1/prices", { keyId: "0xa", version: 1, label: "app 0xa", expiresAt: 1_900_000_000 }, 1_800_000_000_000);
    const later = await metrics.registry.metrics();
    expect(later).toContain('keyledger_api_key_expires_timestamp_seconds{key_id="0xa",label="app 0xa"} 1900000000');
    expect(later).not.toMatch(/keyledger_api_key_expires_timestamp_seconds\{key_id="0xc"/);
  });

  it("creates every route's rejection series at 0, so an alert sees the very first rejection", async () => {
    const metrics = createApiMetrics({ processMetrics: false, routes: ["/v1/prices", "/v1/orders"] });
    const before = await metrics.registry.metrics();
    // increase() ignores a series' first sample: a series born at 1 would hide this rejection.
    expect(before).toContain('keyledger_api_requests_rejected_total{route="/v1/prices",reason="key-revoked"} 0');
    expect(before).toContain('keyledger_api_requests_rejected_total{route="/v1/orders",reason="key-suspended"} 0');
    metrics.rejected("/v1/prices", "key-revoked");
    expect(await metrics.registry.metrics()).toContain('keyledger_api_requests_rejected_total{route="/v1/prices",reason="key-revoked"} 1');
  });

  it("counts rejections per registered key for the burst reasons, from 0, under their own cap", async () => {
    const metrics = createApiMetrics({ processMetrics: false, maxKeySeries: 2 });
    metrics.rejected("/v1/prices", "bad-signature", "0xa");
    metrics.rejected("/v1/prices", "bad-signature", "0xa");
    metrics.rejected("/v1/prices", "replayed-nonce", "0xb");
    metrics.rejected("/v1/prices", "bad-signature", "0xc");
    // Not a burst reason, and no key id (an unknown key): per route only.
    metrics.rejected("/v1/prices", "insufficient-scope", "0xa");
    metrics.rejected("/v1/prices", "unknown-key");
    const text = await metrics.registry.metrics();
    expect(text).toContain('keyledger_api_key_rejected_total{key_id="0xa",reason="bad-signature"} 2');
    // Created at 0 for every burst reason when the key first appears.
    expect(text).toContain('keyledger_api_key_rejected_total{key_id="0xa",reason="replayed-nonce"} 0');
    expect(text).toContain('keyledger_api_key_rejected_total{key_id="0xb",reason="replayed-nonce"} 1');
    expect(text).toContain('keyledger_api_key_rejected_total{key_id="other",reason="bad-signature"} 1');
    expect(text).not.toMatch(/keyledger_api_key_rejected_total\{key_id="0xa",reason="insufficient-scope"/);
    // Verified keys keep their own series whatever the rejections did.
    metrics.verified("/v1/prices", { keyId: "0xd", version: 1, label: "d" }, 1_800_000_000_000);
    expect(await metrics.registry.metrics()).toContain('keyledger_api_key_requests_total{key_id="0xd",version="1",label="d"} 1');
  });
});
