// Breaker events of the `risk` topic applied to GET /risk's answer, so a
// trip shows the moment it happens.

import type { SessionFrame } from "../trading/types";
import type { RiskAnswer } from "./types";

const STATE: Record<string, string> = {
  breaker_tripped: "tripped",
  breaker_reset: "cooling_down",
  breaker_cooling_down: "cooling_down",
  breaker_armed: "armed",
};

export function applyBreakerEvent(risk: RiskAnswer, { session, event }: SessionFrame): RiskAnswer {
  const state = STATE[event.type];
  const name = typeof event.breaker === "string" ? event.breaker : null;
  if (!state || !name) return risk;
  const breaker = {
    state,
    reason: typeof event.reason === "string" ? event.reason : "",
    time: typeof event.time === "number" ? event.time : 0,
  };
  return {
    ...risk,
    sessions: risk.sessions.map((s) => (s.session === session ? { ...s, breakers: { ...s.breakers, [name]: breaker } } : s)),
  };
}

export interface BreakerRow {
  session: string;
  name: string;
  state: string;
  reason: string;
  time: number;
}

/** Every session's breakers as rows, tripped first. */
export function breakerRows(risk: RiskAnswer): BreakerRow[] {
  const order = (s: string) => (s === "tripped" ? 0 : s === "cooling_down" ? 1 : 2);
  return risk.sessions
    .flatMap((s) => Object.entries(s.breakers).map(([name, b]) => ({ session: s.session, name, ...b })))
    .sort((a, b) => order(a.state) - order(b.state) || a.session.localeCompare(b.session) || a.name.localeCompare(b.name));
}
