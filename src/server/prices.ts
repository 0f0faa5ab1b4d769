/** The reference API's price list: fixed numbers, so tests and benchmarks see the same bytes every time. */
export const prices = Object.freeze([
  { symbol: "BTC-USD", price: "67250.00" },
  { symbol: "ETH-USD", price: "3412.50" },
  { symbol: "SOL-USD", price: "171.25" },
  { symbol: "KLG-USD", price: "1.00" },
] as const);

export const symbols: readonly string[] = prices.map((p) => p.symbol);
