import { useEffect, useState } from "react";
import { getAddress, isAddress } from "viem";
import { TextField } from "../components/TextField.tsx";
import { OwnerKeys } from "./owner/OwnerKeys.tsx";
import { OwnerRotator } from "./owner/OwnerRotator.tsx";

/** `#/owner/<address>`: any owner's keys, lineages and history; no wallet needed. */
export default function OwnerPage({ param }: { param?: string | undefined }) {
  const [text, setText] = useState(param ?? "");
  const [invalid, setInvalid] = useState(false);
  useEffect(() => setText(param ?? ""), [param]);
  const owner = param && isAddress(param.trim(), { strict: false }) ? getAddress(param.trim()) : undefined;
  return (
    <section aria-labelledby="owner-title">
      <h1 id="owner-title">Keys of an owner</h1>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          const ok = isAddress(text.trim(), { strict: false });
          setInvalid(!ok);
          if (ok) window.location.hash = `#/owner/${getAddress(text.trim())}`;
        }}
      >
        <TextField
          label="Owner address"
          name="owner-address"
          value={text}
          placeholder="0x… (40 hex digits)"
          spellCheck={false}
          onChange={(event) => {
            setText(event.target.value);
            setInvalid(false);
          }}
          error={invalid || (param && !owner) ? "An address is 0x followed by 40 hex digits." : undefined}
        />
        <div className="actions">
          <button type="submit" className="primary">Show keys</button>
        </div>
      </form>
      {owner && (
        <>
          <OwnerKeys owner={owner} self={false} />
          <OwnerRotator owner={owner} self={false} />
        </>
      )}
    </section>
  );
}
