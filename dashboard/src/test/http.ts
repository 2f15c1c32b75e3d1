// Fetch stand-ins for tests: JSON replies, and a fetch mock that records
// every call and answers it from a route (a function, or a table keyed by
// "METHOD /api/v1/path" as the dashboard requests it).

import { vi } from "vitest";

/** A JSON reply (204: no body; a string body is sent as it is). */
export function reply(status: number, body?: unknown): Response {
  if (status === 204) return new Response(null, { status });
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return new Response(text, { status, headers: { "Content-Type": "application/json" } });
}

/** One request the code under test made. */
export interface Call {
  method: string;
  /** The URL as requested ("/api/v1/orders?limit=5"). */
  url: string;
  /** Its path below /api/v1 ("/orders"). */
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string>;
}

/** Answers a call, or returns undefined to fall through to a 404. */
export type Route = (call: Call) => Response | undefined | Promise<Response | undefined>;

/** A table route's answer: a body (status 200), or [status, body]. */
export type Answer = unknown | [number, unknown];
/** Keys "GET /api/v1/orders" (the URL exactly as requested); values an answer or a function of the call. */
export type Routes = Record<string, Answer | ((call: Call) => Answer)>;

function answered(answer: Answer): Response {
  return Array.isArray(answer) && answer.length === 2 && typeof answer[0] === "number"
    ? reply(answer[0], answer[1])
    : reply(200, answer);
}

/** The route a table describes. */
export function table(routes: Routes): Route {
  return (call) => {
    const route = routes[`${call.method} ${call.url}`];
    if (route === undefined) return undefined;
    return answered(typeof route === "function" ? (route as (c: Call) => Answer)(call) : route);
  };
}

/** Stubs fetch with `route` (a table or a function; anything unanswered: 404); the calls made. */
export function mockFetch(route: Route | Routes): Call[] {
  const answer = typeof route === "function" ? route : table(route);
  const calls: Call[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: string, init: RequestInit = {}) => {
      const url = new URL(input, "http://dash.test");
      const call: Call = {
        method: init.method ?? "GET",
        url: input,
        path: url.pathname.replace(/^\/api\/v1/, ""),
        query: url.searchParams,
        body: typeof init.body === "string" && init.body !== "" ? JSON.parse(init.body) : undefined,
        headers: (init.headers ?? {}) as Record<string, string>,
      };
      calls.push(call);
      return (await answer(call)) ?? reply(404, { error: "not_found", message: `no route ${call.method} ${input}` });
    }),
  );
  return calls;
}
