import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import AuditView from "../AuditView";
import { reply } from "../../test/http";
import { renderAs } from "../../test/signedIn";
import { PAGE, type AuditEntry } from "./types";

function entry(id: number): AuditEntry {
  return {
    id,
    time: 1796569011314 + id,
    actor: "user:admin",
    action: "POST /api/v1/backtests",
    target: "/api/v1/backtests",
    detail: null,
    outcome: "201",
    prev_hash: "0".repeat(64),
    hash: `${id.toString(16).padStart(4, "0")}abcdef0123456789`,
  };
}

/** Entries ids from `top` down, at most one page, none below 1. */
function page(top: number): AuditEntry[] {
  return Array.from({ length: Math.min(PAGE, top) }, (_, i) => entry(top - i));
}

afterEach(() => vi.unstubAllGlobals());

// Whole views render in jsdom: slow on a small, busy machine.
describe("AuditView", { timeout: 30_000 }, () => {
  it("shows the chain intact and pages back with `before`", async () => {
    const { calls } = await renderAs("auditor", <AuditView />, (call) => {
      if (call.path === "/audit/verify") {
        return reply(200, { ok: true, entries: 70, last_hash: "f".repeat(64), first_broken: null, breaker_mismatches: [] });
      }
      if (call.path === "/audit") {
        const before = call.query.get("before");
        return reply(200, page(before === null ? 70 : Number(before) - 1));
      }
      return undefined;
    });
    expect(await screen.findByText("Chain intact")).toBeInTheDocument();
    expect(screen.getByTestId("audit-chain-status")).toHaveTextContent("70 entries");
    const table = await screen.findByRole("table", { name: "Audit log" });
    expect(within(table).getAllByRole("row")).toHaveLength(PAGE + 1);
    expect(within(table).getByRole("row", { name: /^70 / })).toHaveTextContent("0046abcdef01…");

    await userEvent.setup().click(screen.getByRole("button", { name: "Older" }));
    await vi.waitFor(() => expect(within(screen.getByRole("table", { name: "Audit log" })).getAllByRole("row")).toHaveLength(21));
    const pages = calls.filter((c) => c.path === "/audit").map((c) => [c.query.get("limit"), c.query.get("before")]);
    expect(pages).toEqual([[String(PAGE), null], [String(PAGE), "21"]]);
    expect(screen.getByRole("button", { name: "Older" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Newer" })).toBeEnabled();
  });

  it("names the first broken entry and the breaker mismatches", async () => {
    await renderAs("admin", <AuditView />, (call) => {
      if (call.path === "/audit/verify") {
        return reply(200, {
          ok: false,
          entries: 9,
          last_hash: "a".repeat(64),
          first_broken: { id: 4, reason: "hash does not match the entry" },
          breaker_mismatches: [{ breaker: "daily_loss", stored_state: "armed", chained_state: "tripped", entry: 7, reason: "differs" }],
        });
      }
      return call.path === "/audit" ? reply(200, page(9)) : undefined;
    });
    const status = await screen.findByText("Chain broken");
    expect(status.closest("[data-testid=audit-chain-status]")).toHaveTextContent("First broken entry: #4 — hash does not match the entry");
    expect(screen.getByTestId("audit-chain-status")).toHaveTextContent("daily_loss: stored armed, chain says tripped (entry #7)");
    expect(screen.getByTestId("audit-chain-status")).not.toHaveTextContent("Chain intact");
  });

  it("tells a role without access that it cannot read the log", async () => {
    await renderAs("trader", <AuditView />, () => reply(403, { error: "forbidden", message: "your role may not do this" }));
    expect(await screen.findByText(/Your role cannot read the audit log/)).toBeInTheDocument();
    expect(screen.queryByTestId("audit-chain-status")).toBeNull();
    expect(screen.queryByRole("table")).toBeNull();
  });
});
