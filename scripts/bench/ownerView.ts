import { launchBrowser } from "../../test/e2e/browser/launchBrowser.ts";
import { measureOwnerView, type OwnerViewLoad } from "../../test/e2e/browser/measureOwnerView.ts";
import { startOwnerViewStack } from "../../test/helpers/ownerViewStack.ts";
import { format } from "./format.ts";
import { markdownTable } from "./markdownTable.ts";
import type { BenchContext, BenchReport, SummaryRow } from "./types.ts";

export type OwnerViewSizes = {
  /** Keys of other owners on the chain, one stack each. */
  otherKeys: number[];
  /** Fresh-profile visits measured per stack (the first is the server's first visit too). */
  visits: number;
};

export const ownerViewSizes: { full: OwnerViewSizes; quick: OwnerViewSizes } = {
  full: { otherKeys: [1_000, 20_000], visits: 3 },
  quick: { otherKeys: [1_000], visits: 2 },
};

export type OwnerViewParameters = BenchContext & { sizes?: OwnerViewSizes | undefined };

export type OwnerViewFigures = {
  otherKeys: number;
  visits: OwnerViewLoad[];
  /** What the old read path fetched: every registry and governor log, as eth_getLogs JSON. */
  logBytes: number;
  /** Seconds from the indexer's start to its head reaching the chain's. */
  indexerCatchUpSeconds: number;
};

export type OwnerViewReturnType = BenchReport & { figures: OwnerViewFigures[] };

/** Issue 8's bound: an owner with 3 keys among 20,000 others. */
const byteBound = 1_000 * 1024;
const msBound = 5_000;

/**
 * Benchmark 10: the dApp's read path at scale. A hardhat node seeded with N keys of
 * other owners (`npm run seed`'s code) plus 3 keys of one owner, the real indexer
 * (PGlite) and the real dApp server; a real Chromium opens `#/owner/<address>`
 * without a wallet, in a fresh profile each visit, and CDP Network events count
 * every byte received until the 3 keys are on screen.
 */
export async function ownerViewBench(parameters: OwnerViewParameters): Promise<OwnerViewReturnType> {
  const { quick, log } = parameters;
  const sizes = parameters.sizes ?? (quick ? ownerViewSizes.quick : ownerViewSizes.full);
  const figures: OwnerViewFigures[] = [];
  for (const otherKeys of sizes.otherKeys) {
    log(`owner view: ${otherKeys} other keys: seeding, starting the indexer and the dApp`);
    const started = performance.now();
    const stack = await startOwnerViewStack({ otherKeys, ownerKeys: 3, log: (line) => log(`owner view: ${line}`) });
    try {
      const indexerCatchUpSeconds = (performance.now() - started) / 1000;
      const logBytes = await registryLogBytes(stack.node.rpcUrl, [stack.node.manifest.contracts.KeyRegistry.address, stack.node.manifest.contracts.KeyLedgerGovernor.address]);
      const visits: OwnerViewLoad[] = [];
      for (let i = 0; i < sizes.visits; i++) {
        const browser = await launchBrowser();
        try {
          visits.push(await measureOwnerView(browser.page, { url: stack.web.url, owner: stack.owner, expectKeys: 3 }));
        } finally {
          await browser.close();
        }
        log(`owner view: ${otherKeys} other keys, visit ${i + 1}: ${(visits[i]!.transferredBytes / 1024).toFixed(1)} KB, ${visits[i]!.ms.toFixed(0)} ms`);
      }
      figures.push({ otherKeys, visits, logBytes, indexerCatchUpSeconds });
    } finally {
      await stack.stop();
    }
  }
  return { ...report(figures), figures };
}

async function registryLogBytes(rpcUrl: string, addresses: string[]): Promise<number> {
  const response = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getLogs", params: [{ address: addresses, fromBlock: "0x0", toBlock: "latest" }] }),
  });
  return (await response.arrayBuffer()).byteLength;
}

function report(figures: OwnerViewFigures[]): BenchReport {
  const kb = (bytes: number) => `${(bytes / 1024).toLocaleString("en-US", { maximumFractionDigits: 1 })} KB`;
  const rows = figures.flatMap((f) =>
    f.visits.map((v, i) => [
      f.otherKeys.toLocaleString("en-US"),
      String(i + 1),
      kb(v.transferredBytes),
      kb(v.scriptBytes),
      kb((v.byType.Fetch ?? 0) + (v.byType.XHR ?? 0)),
      String(v.requests),
      format.ms(v.ms),
      format.check(v.transferredBytes <= byteBound && v.ms <= msBound),
      i === 0 ? kb(f.logBytes) : "",
    ]),
  );
  const table = markdownTable({
    header: ["other keys", "visit", "over the wire", "of which JS", "of which data (fetch)", "requests", "keys shown after", "bound holds", "old path: logs alone"],
    align: ["r", "r", "r", "r", "r", "r", "r", "l", "r"],
    rows,
  });
  const worst = (f: OwnerViewFigures) => ({ bytes: Math.max(...f.visits.map((v) => v.transferredBytes)), ms: Math.max(...f.visits.map((v) => v.ms)) });
  const notes = [
    "A real `hardhat node` seeded with N Ed25519 keys of 19 other dev accounts (`npm run seed`'s code, 100 per block), then 3 keys of one owner; the real indexer (`ponder start`, PGlite) caught up to the chain head; the real dApp server (production bundle, brotli) proxying it as `/indexer`.",
    "Each visit: a fresh Chromium profile (nothing cached, cache disabled over CDP) opens `#/owner/<address>` with no wallet; bytes are CDP `Network.loadingFinished.encodedDataLength` (compressed bodies plus headers) of every request until the third key row is on screen; time from navigation start.",
    "Old path: the size of the `eth_getLogs` answer for every registry and governor log, which the browser used to download (and fold) before showing any key.",
    `Bound (issue 8): at most ${kb(byteBound)} and ${format.ms(msBound)} with 20,000 other keys.`,
    ...figures.map((f) => `${f.otherKeys.toLocaleString("en-US")} other keys: seed + indexer catch-up + server start took ${f.indexerCatchUpSeconds.toFixed(0)} s.`),
  ];
  const summary: SummaryRow[] = figures.map((f) => {
    const w = worst(f);
    return {
      metric: `owner view #/owner/<address>, 3 keys among ${f.otherKeys.toLocaleString("en-US")} (worst visit)`,
      value: `${kb(w.bytes)}, ${format.ms(w.ms)} (old path: ${kb(f.logBytes)} of logs)`,
      target: "≤ 1,000 KB, ≤ 5 s",
      ok: w.bytes <= byteBound && w.ms <= msBound,
    };
  });
  return { name: "owner", title: "10. dApp owner view: bytes over the wire and time to keys", markdown: [table, "", ...notes.map((n) => `- ${n}`)].join("\n"), summary };
}
