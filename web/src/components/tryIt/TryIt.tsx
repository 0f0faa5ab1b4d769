import { lazy, Suspense } from "react";
import type { TryItPanelProps } from "./TryItPanel.tsx";

// The signer (RFC 9421 profile, structured headers, key decryption) is loaded when
// a panel is first opened, so it costs the first page nothing.
const TryItPanel = lazy(() => import("./TryItPanel.tsx"));

/** The Try it panel, loaded on first use. */
export function TryIt(props: TryItPanelProps) {
  return (
    <Suspense fallback={<p aria-busy="true">Loading…</p>}>
      <TryItPanel {...props} />
    </Suspense>
  );
}
