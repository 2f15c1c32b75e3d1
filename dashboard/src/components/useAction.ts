// Runs a dialog's action once at a time: `busy` while it runs, and the
// error it threw (as a message) afterwards, so the dialog can stay open.

import { useState } from "react";
import { describe } from "../api/client";

export function useAction(problem: (e: unknown) => string = describe) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** Runs `action`, then `after` if it succeeded; a thrown error becomes `error`. */
  async function run(action: () => Promise<void>, after: () => void) {
    setBusy(true);
    setError(null);
    try {
      await action();
      after();
    } catch (e) {
      setError(problem(e));
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, setError, run };
}
