import { verifierReasons } from "../../../src/verifier/reasons.ts";

/** The verifier's machine-readable rejection reason in words (the verifier's own descriptions). */
export function verdictReason(reason: string): string {
  return (verifierReasons as Record<string, { description: string } | undefined>)[reason]?.description ?? `Rejected: ${reason}.`;
}
