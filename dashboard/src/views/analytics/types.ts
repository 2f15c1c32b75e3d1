// The shapes of a backtest job as smc serve gives them: GET /backtests/{id}
// (the job with, once done, `smc backtest --json`'s result and a sampled
// equity curve) and the `backtests` topic's progress messages.

export type JobState = "queued" | "running" | "done" | "failed";

export interface EquitySample {
  /** Epoch milliseconds. */
  time: number;
  /** Decimal string. */
  equity: string;
}

export interface Trade {
  entry_time: number;
  exit_time: number;
  entry_price: string;
  exit_price: string;
  pnl: string;
  fees: string;
  setup: string;
  side: string;
  size: string;
}

export interface MonthlyReturn {
  year: number;
  month: number;
  return: number;
}

export interface SetupRow {
  setup: string;
  trades: number;
  win_rate: number | null;
  avg_pnl: number | null;
  total_pnl: number | null;
  profit_factor: number | null;
}

export interface BacktestResult {
  bars?: number;
  starting_cash?: string;
  final_equity?: string;
  fees?: string;
  metrics?: Record<string, number | null>;
  monthly_returns?: MonthlyReturn[];
  setups?: SetupRow[];
  trades?: Trade[];
}

export interface Job {
  id: string;
  state: JobState;
  progress: number;
  result: BacktestResult | null;
  error: string | null;
  created_at: number;
  equity?: EquitySample[];
}

/** A `backtests` topic message. */
export interface JobProgress {
  id: string;
  state: JobState;
  progress: number;
  error: string | null;
}

const STATES: readonly string[] = ["queued", "running", "done", "failed"];

/** The message as a progress update, or null when it is not one. */
export function progressOf(data: unknown): JobProgress | null {
  if (!data || typeof data !== "object") return null;
  const { id, state, progress, error } = data as Record<string, unknown>;
  if (typeof id !== "string" || typeof state !== "string" || !STATES.includes(state)) return null;
  return {
    id,
    state: state as JobState,
    progress: typeof progress === "number" && Number.isFinite(progress) ? progress : 0,
    error: typeof error === "string" ? error : null,
  };
}

/** What the form sends to POST /backtests. */
export interface NewBacktest {
  input: string;
  strategy: "smc" | "sma_cross";
  timeframes: string[];
  cash?: string;
  fee?: string;
}
