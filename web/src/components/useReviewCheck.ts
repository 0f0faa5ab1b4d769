import { useCallback, useRef, useState } from "react";
import type { DescribedError } from "../lib/describeError.ts";
import type { ReviewCheck } from "./ReviewDialog.tsx";

/**
 * The review dialog's dry run: `start` runs a simulation and shows its verdict; a
 * later start wins, so a slow answer for an edited form never overwrites a newer one.
 */
export function useReviewCheck(): { check: ReviewCheck | undefined; start: (simulate: () => Promise<DescribedError | null>) => void } {
  const [check, setCheck] = useState<ReviewCheck | undefined>(undefined);
  const latest = useRef(0);
  const start = useCallback((simulate: () => Promise<DescribedError | null>) => {
    const run = ++latest.current;
    setCheck({ status: "checking" });
    void simulate().then((error) => {
      if (run === latest.current) setCheck(error ? { status: "refused", error } : { status: "ok" });
    });
  }, []);
  return { check, start };
}
