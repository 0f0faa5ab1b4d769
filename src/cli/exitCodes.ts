/**
 * Exit codes of the `keyledger` CLI. Scripts branch on these, so they are part of
 * the CLI's public contract: never renumber, only add.
 */
export const exitCodes = {
  /** The command did what was asked (a `verify` accepted, a `status` found a valid key). */
  ok: 0,
  /** A check said no: `verify` rejected the request, `status` found the key unusable, `request` got a non-2xx answer. */
  rejected: 1,
  /** Bad flags or arguments; nothing was sent. */
  usage: 2,
  /** The RPC node, the deployment manifest or an HTTP server could not be reached or does not match. */
  network: 3,
  /** The chain refused the transaction or call (the decoded contract error is printed). */
  reverted: 4,
  /** A local key file, keystore or wallet is missing, unreadable, unsafe or unusable. */
  keyFile: 5,
  /** A bug or an unexpected failure; the message says what. */
  internal: 70,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];
