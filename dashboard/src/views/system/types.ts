// Shapes of GET /api/v1/system (and the `system` topic's snapshots, the
// same fields without the build), GET /api/v1/status and GET /readyz.

export interface LatencyQuantiles {
  /** Microseconds. */
  p50: number;
  p99: number;
  count: number;
}

export interface SessionHealth {
  id: string;
  state: string;
  mode: string;
  connected: boolean;
  market_stream: "connected" | "disconnected" | null;
  user_stream: "connected" | "disconnected" | null;
  reconnects: number;
  last_candle_time: number | null;
  candle_to_order_us: LatencyQuantiles | null;
}

export interface ApiLatency {
  /** Milliseconds; null before the first request. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  count: number;
}

export interface SystemStatus {
  time: number;
  uptime_seconds: number;
  memory_rss_bytes: number | null;
  sessions: SessionHealth[];
  api_latency_ms: ApiLatency;
  ws_clients: number;
}

export interface SystemInfo extends SystemStatus {
  version: string;
  git?: { commit: string };
  rustc?: string;
}

export interface Status {
  version: string;
  time: number;
  uptime_seconds: number;
  sessions: { running: number; ready: number; stopped: number; failed: number };
  backtests_running: number;
}

export interface Readiness {
  ready: boolean;
  store: boolean;
  disconnected_sessions: string[];
}

/** The `system` topic's periodic snapshot, if `data` is one. */
export function snapshotOf(data: unknown): SystemStatus | null {
  if (!data || typeof data !== "object") return null;
  const d = data as Record<string, unknown>;
  if (d.type !== "snapshot" || !Array.isArray(d.sessions) || typeof d.uptime_seconds !== "number") return null;
  const { type: _type, ...status } = d;
  return status as unknown as SystemStatus;
}
