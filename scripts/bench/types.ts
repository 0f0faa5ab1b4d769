/** One line of the combined summary: a headline figure, its target and whether it held. */
export type SummaryRow = {
  metric: string;
  value: string;
  target?: string | undefined;
  /** undefined when there is no target to hold (an informative figure). */
  ok?: boolean | undefined;
};

/** What every benchmark hands back to scripts/bench.ts. */
export type BenchReport = {
  name: BenchName;
  title: string;
  /** Markdown: tables plus short notes on method. */
  markdown: string;
  summary: SummaryRow[];
};

export type BenchContext = {
  /** Short smoke run: small pools, few rounds. */
  quick: boolean;
  /** Progress lines (stderr); never figures. */
  log: (line: string) => void;
};

export const benchNames = ["verify", "hms", "server", "revocation", "nonces", "gas", "hostile", "indexer", "resolver", "owner"] as const;
export type BenchName = (typeof benchNames)[number];
