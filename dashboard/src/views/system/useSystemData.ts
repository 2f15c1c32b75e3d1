// The System view's data: GET /system (build, memory, latency, sessions'
// streams) kept current by the `system` topic's 2-second snapshots, GET
// /status (version, uptime, counts) and the /healthz and /readyz probes,
// checked on mount, on every reconnect and when a session starts, stops
// or changes connection. With a server that has no GET /system yet, the
// view lives on /status, /sessions and the snapshots if any come.

import { useCallback, useEffect, useState } from "react";
import { useOnConnected, useTopic } from "../../live/LiveContext";
import { sessionFrame, type SessionInfo } from "../trading/types";
import { useLiveResource } from "../trading/useLiveResource";
import { probe, type Probes } from "./probes";
import { snapshotOf, type Status, type SystemInfo, type SystemStatus } from "./types";

export function useSystemData() {
  const info = useLiveResource<SystemInfo>("/system");
  const status = useLiveResource<Status>("/status");
  const [live, setLive] = useState<{ status: SystemStatus; at: number } | null>(null);
  const [probes, setProbes] = useState<Probes | null>(null);
  // Without GET /system (an older server), the session list stands in.
  const fallback = info.error !== null && live === null;
  const sessions = useLiveResource<SessionInfo[]>(fallback ? "/sessions" : null);

  const check = useCallback(() => {
    void probe().then(setProbes);
  }, []);
  useEffect(check, [check]);
  useOnConnected(check);

  useTopic("system", (data) => {
    const snapshot = snapshotOf(data);
    if (snapshot) {
      setLive({ status: snapshot, at: Date.now() });
      return;
    }
    const frame = sessionFrame(data);
    if (frame && ["started", "stopped", "connection"].includes(frame.event.type)) check();
  });

  const current: SystemStatus | null = live?.status ?? info.data;
  return { info, status, current, snapshotAt: live?.at ?? null, probes, check, fallback, sessions };
}
