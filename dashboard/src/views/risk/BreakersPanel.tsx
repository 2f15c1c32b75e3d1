// Circuit breakers of every session with their state; an admin may reset
// a tripped one (TOTP step-up). A breaker that never changed state since
// the server hosts the session is armed and not listed.

import Button from "@mui/material/Button";
import Chip from "@mui/material/Chip";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import { useState } from "react";
import { EmptyRow } from "../../components/EmptyRow";
import { time } from "../../format";
import type { BreakerRow } from "./breakers";
import { ResetBreakerDialog } from "./ResetBreakerDialog";

const LOOK: Record<string, { label: string; color: "error" | "warning" | "success" | "default" }> = {
  tripped: { label: "Tripped", color: "error" },
  cooling_down: { label: "Cooling down", color: "warning" },
  armed: { label: "Armed", color: "success" },
};

export function BreakersPanel({ rows, admin, onChanged }: { rows: BreakerRow[]; admin: boolean; onChanged: () => void }) {
  const [resetting, setResetting] = useState<BreakerRow | null>(null);
  return (
    <>
      <Table size="small" aria-label="Breakers" data-testid="breakers">
        <TableHead>
          <TableRow>
            <TableCell>Session</TableCell>
            <TableCell>Breaker</TableCell>
            <TableCell>State</TableCell>
            <TableCell>Reason</TableCell>
            <TableCell>Since</TableCell>
            {admin && <TableCell>Action</TableCell>}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((b) => {
            const look = LOOK[b.state] ?? { label: b.state, color: "default" as const };
            return (
              <TableRow key={`${b.session}/${b.name}`}>
                <TableCell>{b.session}</TableCell>
                <TableCell>{b.name}</TableCell>
                <TableCell>
                  <Chip size="small" label={look.label} color={look.color} />
                </TableCell>
                <TableCell>{b.reason || "—"}</TableCell>
                <TableCell>{time(b.time)}</TableCell>
                {admin && (
                  <TableCell>
                    {b.state === "tripped" && (
                      <Button size="small" color="warning" aria-label={`Reset ${b.name} in ${b.session}`} onClick={() => setResetting(b)}>
                        Reset
                      </Button>
                    )}
                  </TableCell>
                )}
              </TableRow>
            );
          })}
          {rows.length === 0 && <EmptyRow colSpan={admin ? 6 : 5}>No breaker has tripped: all are armed.</EmptyRow>}
        </TableBody>
      </Table>
      {resetting && (
        <ResetBreakerDialog session={resetting.session} breaker={resetting.name} onClose={() => setResetting(null)} onDone={onChanged} />
      )}
    </>
  );
}
