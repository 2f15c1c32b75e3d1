// This browser's submitted backtests (ids and what was asked), kept in
// sessionStorage so that a reload can reopen them.

const KEY = "smc.backtests";
const MOST = 30;

export interface Submitted {
  id: string;
  input: string;
  strategy: string;
  submitted_at: number;
}

function storage(): Storage | null {
  return globalThis.sessionStorage ?? null;
}

export function loadSubmitted(): Submitted[] {
  try {
    const parsed: unknown = JSON.parse(storage()?.getItem(KEY) ?? "[]");
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (s): s is Submitted =>
        !!s && typeof s === "object" && typeof (s as Submitted).id === "string" && typeof (s as Submitted).input === "string",
    );
  } catch {
    return [];
  }
}

export function saveSubmitted(list: Submitted[]): void {
  storage()?.setItem(KEY, JSON.stringify(list.slice(0, MOST)));
}
