// The probes outside /api/v1: GET /healthz (alive: "ok") and GET /readyz
// (ready: 200, or 503 with the same body naming what is not ready).

import type { Readiness } from "./types";

export interface Probes {
  alive: boolean;
  aliveText: string;
  readiness: Readiness | null;
  /** Why /readyz gave no readiness (unreachable, not JSON). */
  readyProblem: string | null;
  checkedAt: number;
}

async function text(path: string): Promise<{ status: number; body: string }> {
  const r = await fetch(path, { headers: { Accept: "application/json, text/plain" } });
  return { status: r.status, body: await r.text() };
}

export async function probe(now: () => number = Date.now): Promise<Probes> {
  const [health, ready] = await Promise.allSettled([text("/healthz"), text("/readyz")]);
  const alive = health.status === "fulfilled" && health.value.status === 200;
  const aliveText =
    health.status === "fulfilled" ? (alive ? health.value.body.trim() || "ok" : `HTTP ${health.value.status}`) : "unreachable";
  let readiness: Readiness | null = null;
  let readyProblem: string | null = null;
  if (ready.status === "rejected") readyProblem = "unreachable";
  else {
    try {
      readiness = JSON.parse(ready.value.body) as Readiness;
    } catch {
      readyProblem = `HTTP ${ready.value.status}`;
    }
  }
  return { alive, aliveText, readiness, readyProblem, checkedAt: now() };
}
