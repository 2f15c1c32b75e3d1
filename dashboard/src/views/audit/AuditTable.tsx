// One page of the audit log: time, actor, action, target, outcome and the
// entry's hash, shortened (the full hash in its title).

import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import { time } from "../../format";
import { shortHash, type AuditEntry } from "./types";

const HEADERS = ["#", "Time (UTC)", "Actor", "Action", "Target", "Outcome", "Hash"];

function detailText(detail: unknown): string | null {
  if (detail === null || detail === undefined) return null;
  return typeof detail === "string" ? detail : JSON.stringify(detail);
}

export function AuditTable({ entries }: { entries: AuditEntry[] }) {
  return (
    <Table size="small" aria-label="Audit log">
      <TableHead>
        <TableRow>
          {HEADERS.map((h) => (
            <TableCell key={h} component="th" scope="col">{h}</TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {entries.map((e) => {
          const detail = detailText(e.detail);
          const failed = !/^(2\d\d|ok|allowed|accepted)$/i.test(e.outcome);
          return (
            <TableRow key={e.id}>
              <TableCell>{e.id}</TableCell>
              <TableCell sx={{ whiteSpace: "nowrap" }}>{time(e.time)}</TableCell>
              <TableCell>{e.actor}</TableCell>
              <TableCell title={detail ?? undefined}>{e.action}</TableCell>
              <TableCell sx={{ wordBreak: "break-all" }}>{e.target}</TableCell>
              <TableCell sx={{ color: failed ? "warning.main" : undefined }}>{e.outcome}</TableCell>
              <TableCell>
                <code title={e.hash}>{shortHash(e.hash)}</code>
              </TableCell>
            </TableRow>
          );
        })}
        {entries.length === 0 && (
          <TableRow>
            <TableCell colSpan={HEADERS.length}>No entries.</TableCell>
          </TableRow>
        )}
      </TableBody>
    </Table>
  );
}
