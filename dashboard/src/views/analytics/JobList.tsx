// This browser's backtests: each with its progress bar (moved by the
// `backtests` stream), its state, and buttons to open or forget it.

import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import LinearProgress from "@mui/material/LinearProgress";
import Typography from "@mui/material/Typography";
import { time } from "../../format";
import type { Tracked } from "./useBacktests";

interface Props {
  tracked: Tracked[];
  selected: string | null;
  onOpen: (id: string) => void;
  onForget: (id: string) => void;
}

function stateText(t: Tracked): string {
  if (t.problem) return t.problem;
  if (!t.job) return "Loading…";
  if (t.job.state === "failed") return `Failed: ${t.job.error ?? "no reason given"}`;
  if (t.job.state === "done") return "Done";
  return `${t.job.state === "queued" ? "Queued" : "Running"} · ${Math.floor(t.job.progress * 100)} %`;
}

export function JobList({ tracked, selected, onOpen, onForget }: Props) {
  if (tracked.length === 0) return <Typography variant="body2">No backtests submitted from this browser yet.</Typography>;
  return (
    <Box component="ul" sx={{ listStyle: "none", p: 0, m: 0, display: "grid", gap: 1.5 }} aria-label="Submitted backtests">
      {tracked.map((t) => {
        const id = t.submitted.id;
        const value = Math.round((t.job?.progress ?? 0) * 100);
        return (
          <Box component="li" key={id} sx={{ borderLeft: 3, borderColor: id === selected ? "primary.main" : "transparent", pl: 1 }}>
            <Box sx={{ display: "flex", flexWrap: "wrap", alignItems: "center", gap: 1 }}>
              <Typography variant="body2" sx={{ flexGrow: 1, minWidth: 180, wordBreak: "break-all" }}>
                <strong>{t.submitted.input}</strong> · {t.submitted.strategy} · {time(t.submitted.submitted_at)} · <code>{id}</code>
              </Typography>
              <Button size="small" onClick={() => onOpen(id)} disabled={t.job?.state !== "done"} aria-label={`Open backtest ${id}`}>
                Open
              </Button>
              <Button size="small" color="inherit" onClick={() => onForget(id)} aria-label={`Forget backtest ${id}`}>
                Forget
              </Button>
            </Box>
            <LinearProgress
              variant="determinate"
              value={value}
              color={t.job?.state === "failed" ? "error" : t.job?.state === "done" ? "success" : "primary"}
              aria-label={`Backtest ${id} progress`}
              sx={{ height: 8, borderRadius: 1, my: 0.5 }}
            />
            <Typography variant="caption" role="status">{stateText(t)}</Typography>
          </Box>
        );
      })}
    </Box>
  );
}
