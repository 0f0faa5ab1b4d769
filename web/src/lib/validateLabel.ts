export type FieldCheck = { ok: true } | { ok: false; message: string };

/** Longest label the registry accepts, in UTF-8 bytes. */
export const maxLabelBytes = 64;

/** The registry's label rule (1..64 bytes of UTF-8), with the byte count for the form hint. */
export function validateLabel(label: string): FieldCheck & { bytes: number } {
  const bytes = new TextEncoder().encode(label).length;
  if (label.trim() === "") return { ok: false, bytes, message: "Enter a label: the client or app this key belongs to." };
  if (bytes > maxLabelBytes) {
    return { ok: false, bytes, message: `The label is ${bytes} bytes; the registry allows at most ${maxLabelBytes} bytes of UTF-8.` };
  }
  return { ok: true, bytes };
}
