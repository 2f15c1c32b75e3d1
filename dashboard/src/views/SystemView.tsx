// The System view: liveness and readiness, the live stream's state,
// versions and uptime, memory, WebSocket clients, API latency and each
// session's venue connections and candle-to-order latency; live from the
// `system` topic's snapshots (every 2 s), never polled.

import Alert from "@mui/material/Alert";
import Button from "@mui/material/Button";
import { Section } from "../components/Section";
import { time } from "../format";
import { useConnectionState } from "../live/LiveContext";
import { Figures } from "./system/Figures";
import { bytes, duration, ms } from "./system/show";
import { useSystemData } from "./system/useSystemData";
import { fromSessions, VenueTable } from "./system/VenueTable";

export default function SystemView() {
  const stream = useConnectionState();
  const { info, status, current, snapshotAt, probes, check, fallback, sessions } = useSystemData();
  const readiness = probes?.readiness;
  const readyText = readiness
    ? readiness.ready
      ? "Ready"
      : `Not ready${readiness.store ? "" : ": the store does not answer"}${
          readiness.disconnected_sessions.length > 0 ? `: ${readiness.disconnected_sessions.join(", ")} not connected` : ""
        }`
    : (probes?.readyProblem ?? "—");
  const latency = current?.api_latency_ms;
  const version = info.data?.version ?? status.data?.version ?? "—";
  const uptime = current?.uptime_seconds ?? status.data?.uptime_seconds;
  const counts = status.data?.sessions;
  return (
    <>
      <Section
        title="Health"
        action={
          <Button size="small" onClick={check}>
            Check again
          </Button>
        }
      >
        <Figures
          testId="health"
          items={[
            ["Alive", probes ? (probes.alive ? `Yes (${probes.aliveText})` : `No (${probes.aliveText})`) : "—", "GET /healthz"],
            ["Ready", readyText, "GET /readyz"],
            ["Live stream", stream, snapshotAt ? `last snapshot ${time(snapshotAt)}` : "no snapshot yet"],
            ["Checked", probes ? time(probes.checkedAt) : "—"],
          ]}
        />
      </Section>
      {fallback && (
        <Alert severity="info" sx={{ mb: 2 }}>
          This server has no GET /api/v1/system (an older build): memory, API latency, venue streams and candle-to-order
          figures appear once it sends `system` snapshots.
        </Alert>
      )}
      <Section title="Versions and uptime">
        <Figures
          testId="versions"
          items={[
            ["Version", version],
            ["Commit", info.data?.git?.commit ?? "—"],
            ["Compiler", info.data?.rustc ?? "—"],
            ["Uptime", duration(uptime)],
            ["Sessions", counts ? `${counts.running} running, ${counts.ready} ready, ${counts.stopped} stopped, ${counts.failed} failed` : "—"],
            ["Backtests running", status.data?.backtests_running ?? "—"],
          ]}
        />
      </Section>
      <Section title="Process">
        <Figures
          testId="process"
          items={[
            ["Memory (resident)", bytes(current?.memory_rss_bytes)],
            ["WebSocket clients", current?.ws_clients ?? "—"],
            ["API latency p50", ms(latency?.p50)],
            ["API latency p95", ms(latency?.p95)],
            ["API latency p99", ms(latency?.p99), latency ? `over the last ${latency.count} requests` : undefined],
          ]}
        />
      </Section>
      <Section title="Venue connections">
        <VenueTable rows={current?.sessions ?? fromSessions(sessions.data ?? [])} />
      </Section>
    </>
  );
}
