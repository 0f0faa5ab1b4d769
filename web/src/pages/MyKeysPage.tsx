import { useConnection } from "wagmi";
import { RequireWallet } from "../components/RequireWallet.tsx";
import { OwnerKeys } from "./owner/OwnerKeys.tsx";
import { OwnerRotator } from "./owner/OwnerRotator.tsx";

/** The owner view (`#/owner/<address>`) for the connected account. */
export default function MyKeysPage() {
  return (
    <section aria-labelledby="my-keys-title">
      <h1 id="my-keys-title">My keys</h1>
      <RequireWallet action="see your keys">
        <ConnectedKeys />
      </RequireWallet>
    </section>
  );
}

function ConnectedKeys() {
  const { address } = useConnection();
  if (!address) return null;
  return (
    <>
      <OwnerKeys owner={address} self />
      <OwnerRotator owner={address} self />
      <p className="muted">
        Public view of these keys: <a className="break" href={`#/owner/${address}`}>#/owner/{address}</a>
      </p>
    </>
  );
}
