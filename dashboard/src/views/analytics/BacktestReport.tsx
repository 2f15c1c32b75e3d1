// One finished backtest: equity and drawdown charts (the job's bar-by-bar
// equity curve; a curve stepped through the closed trades, said so, only
// when the job has none), metrics, monthly returns and the per-setup table.

import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import { useMemo } from "react";
import { Section } from "../../components/Section";
import { curveOf } from "./curve";
import { EquityChart } from "./EquityChart";
import { MetricsTable } from "./MetricsTable";
import { MonthlyTable } from "./MonthlyTable";
import { SetupsTable } from "./SetupsTable";
import type { Job } from "./types";

export function BacktestReport({ job, title }: { job: Job; title: string }) {
  const curve = useMemo(() => curveOf(job), [job]);
  const result = job.result;
  if (!result) return null;
  // An older server sends no `equity`; a newer one may send an empty curve (no bar marked).
  const why = job.equity === undefined ? "this server sends no bar-by-bar equity curve" : "the job's equity curve is empty";
  return (
    <Box data-testid="backtest-report">
      <Section title={`Equity and drawdown · ${title}`}>
        {curve ? (
          <>
            {curve.stepped && (
              <Alert severity="info" sx={{ mb: 1 }}>
                Equity (stepped, from closed trades): {why}, so the curve steps at each trade&apos;s exit.
              </Alert>
            )}
            <EquityChart curve={curve} />
          </>
        ) : (
          <Alert severity="info">
            No equity curve: {job.equity === undefined ? "the backtest closed no trade" : "the backtest marked no equity and closed no trade"}.
          </Alert>
        )}
      </Section>
      <Section title="Monthly returns">
        <MonthlyTable months={result.monthly_returns ?? []} />
      </Section>
      <Box sx={{ display: "grid", gap: 2, gridTemplateColumns: { xs: "minmax(0, 1fr)", lg: "minmax(0, 1fr) minmax(0, 1fr)" }, alignItems: "start" }}>
        <Section title="Metrics">
          <MetricsTable result={result} />
        </Section>
        <Section title="Setups">
          <SetupsTable setups={result.setups ?? []} />
        </Section>
      </Box>
    </Box>
  );
}
