export type ContentSecurityPolicyParameters = {
  /** Origins (besides the page's own) that the page may fetch from: the RPC node, a remote API. */
  connect: readonly string[];
  /** Only for the Vite dev server, whose HMR client and React refresh preamble are inline. */
  nonce?: string | undefined;
};

/**
 * The dApp's Content-Security-Policy: scripts and styles only from the page's own
 * origin (no inline code, no eval), network access only to the listed origins, no
 * framing, no plugins, no form posts.
 */
export function contentSecurityPolicy({ connect, nonce }: ContentSecurityPolicyParameters): string {
  const inline = nonce ? ` 'nonce-${nonce}'` : "";
  return [
    "default-src 'none'",
    `script-src 'self'${inline}`,
    `style-src 'self'${inline}`,
    // EIP-6963 wallets announce their icons as data: URIs.
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${["'self'", ...new Set(connect)].join(" ")}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join("; ");
}
