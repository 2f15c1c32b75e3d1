// This browser's backtest jobs: submitted ones are remembered in
// sessionStorage; each is loaded from GET /backtests/{id} on mount and on
// every (re)connect of the stream, then moved by the `backtests` topic's
// progress messages; a job that ends is fetched once more for its result.

import { useCallback, useEffect, useRef, useState } from "react";
import { api, ApiError, describe } from "../../api/client";
import { useOnConnected, useTopic } from "../../live/LiveContext";
import { loadSubmitted, saveSubmitted, type Submitted } from "./submitted";
import { progressOf, type Job, type NewBacktest } from "./types";

/** What the view knows of one job. */
export interface Tracked {
  submitted: Submitted;
  job: Job | null;
  /** Why it could not be loaded (e.g. the server restarted: jobs live in memory). */
  problem: string | null;
}

const FINAL = new Set(["done", "failed"]);

/** The fetched job, unless the stream already moved it further. */
function newer(current: Job | null, fetched: Job): Job {
  if (!current || FINAL.has(fetched.state)) return fetched;
  // The stream said it ended: a fetch for the result follows.
  if (FINAL.has(current.state)) return current;
  return current.progress > fetched.progress ? { ...fetched, state: current.state, progress: current.progress } : fetched;
}

export function useBacktests() {
  const [tracked, setTracked] = useState<Tracked[]>(() =>
    loadSubmitted().map((submitted) => ({ submitted, job: null, problem: null })),
  );
  const ids = useRef<string[]>(tracked.map((t) => t.submitted.id));
  ids.current = tracked.map((t) => t.submitted.id);

  const patch = useCallback((id: string, change: (t: Tracked) => Tracked) => {
    setTracked((list) => list.map((t) => (t.submitted.id === id ? change(t) : t)));
  }, []);

  const fetchJob = useCallback(
    async (id: string) => {
      try {
        const job = await api<Job>(`/backtests/${encodeURIComponent(id)}`);
        patch(id, (t) => ({ ...t, job: newer(t.job, job), problem: null }));
      } catch (e) {
        const problem = e instanceof ApiError && e.status === 404 ? "The server no longer has this job (it restarted?)." : describe(e);
        patch(id, (t) => ({ ...t, problem }));
      }
    },
    [patch],
  );

  const reloadAll = useCallback(() => {
    for (const id of ids.current) void fetchJob(id);
  }, [fetchJob]);

  useEffect(reloadAll, [reloadAll]);
  useOnConnected(reloadAll);

  useTopic("backtests", (data) => {
    const update = progressOf(data);
    if (!update || !ids.current.includes(update.id)) return;
    patch(update.id, (t) => {
      const base: Job = t.job ?? { id: update.id, state: "queued", progress: 0, result: null, error: null, created_at: Date.now() };
      return { ...t, job: { ...base, state: update.state, progress: update.progress, error: update.error } };
    });
    if (update.state === "done" || update.state === "failed") void fetchJob(update.id);
  });

  const submit = useCallback(
    async (request: NewBacktest): Promise<string> => {
      const { id } = await api<{ id: string }>("/backtests", { method: "POST", body: request });
      const submitted: Submitted = { id, input: request.input, strategy: request.strategy, submitted_at: Date.now() };
      setTracked((list) => {
        const next = [{ submitted, job: null, problem: null }, ...list.filter((t) => t.submitted.id !== id)];
        saveSubmitted(next.map((t) => t.submitted));
        return next;
      });
      ids.current = [id, ...ids.current];
      void fetchJob(id);
      return id;
    },
    [fetchJob],
  );

  const forget = useCallback((id: string) => {
    setTracked((list) => {
      const next = list.filter((t) => t.submitted.id !== id);
      saveSubmitted(next.map((t) => t.submitted));
      return next;
    });
  }, []);

  return { tracked, submit, forget };
}
