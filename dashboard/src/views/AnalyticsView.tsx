// The Analytics view: submit a backtest, follow its progress over the
// `backtests` stream, and read the finished one's equity, drawdown,
// metrics, monthly returns and setups. Jobs submitted from this browser
// are listed (kept across reloads in sessionStorage).

import Typography from "@mui/material/Typography";
import { useEffect, useState } from "react";
import { canTrade } from "../auth/jwt";
import { useSigned } from "../auth/AuthContext";
import { Section } from "../components/Section";
import { BacktestForm } from "./analytics/BacktestForm";
import { BacktestReport } from "./analytics/BacktestReport";
import { JobList } from "./analytics/JobList";
import { useBacktests } from "./analytics/useBacktests";

export default function AnalyticsView() {
  const { claims } = useSigned();
  const { tracked, submit, forget } = useBacktests();
  const [selected, setSelected] = useState<string | null>(() => tracked[0]?.submitted.id ?? null);
  const [follow, setFollow] = useState(true);

  // The newest job opens by itself when it is done, unless another was picked.
  const newest = tracked[0];
  useEffect(() => {
    if (follow && newest?.job?.state === "done") setSelected(newest.submitted.id);
  }, [follow, newest]);

  const shown = tracked.find((t) => t.submitted.id === selected && t.job?.state === "done");
  return (
    <>
      <Typography variant="h5" component="h2" sx={{ mb: 2 }}>
        Analytics
      </Typography>
      <Section title="Backtest">
        {canTrade(claims.role) ? (
          <BacktestForm
            onSubmit={async (request) => {
              const id = await submit(request);
              setSelected(id);
              setFollow(true);
            }}
          />
        ) : (
          <Typography variant="body2">Your role can read backtests but not run them (traders and admins can).</Typography>
        )}
      </Section>
      <Section title="This browser's backtests">
        <JobList
          tracked={tracked}
          selected={selected}
          onOpen={(id) => {
            setSelected(id);
            setFollow(id === tracked[0]?.submitted.id);
          }}
          onForget={forget}
        />
      </Section>
      {shown?.job && <BacktestReport job={shown.job} title={shown.submitted.input} />}
    </>
  );
}
