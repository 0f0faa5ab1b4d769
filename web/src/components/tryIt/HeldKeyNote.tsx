import type { Hex } from "viem";
import { forgetKey, useHeldKey } from "../../lib/heldKeys.ts";

/**
 * After a registration or rotation in the page: its private key is held in this
 * tab's memory for Try it. Says so, and offers to forget it at once.
 */
export function HeldKeyNote({ keyId }: { keyId: Hex }) {
  const held = useHeldKey(keyId);
  if (!held) return <p className="muted" data-testid="held-key-note" data-held="false">This page has let go of the private key; your saved key file is the only copy.</p>;
  return (
    <p className="muted" data-testid="held-key-note" data-held="true">
      Its private key stays in this tab's memory (never stored, gone when you reload) so you can <a href={`#/lookup/${keyId}`}>Try it</a> with a signed test
      request.{" "}
      <button type="button" className="link" onClick={() => forgetKey(keyId)} data-testid="forget-held-key">
        Forget it now
      </button>
    </p>
  );
}
