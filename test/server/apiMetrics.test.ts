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
  });
});
