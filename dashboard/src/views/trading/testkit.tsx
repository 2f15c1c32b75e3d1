// Test helpers for the trading, risk and system views: a fetch stand-in
// routed by "METHOD /path" that records each call, a LiveSocket driven by
// hand through a fake WebSocket, and rendering a view signed in as a role.

import { act, render } from "@testing-library/react";
import type { ReactNode } from "react";
import { vi } from "vitest";
import { AuthProvider } from "../../auth/AuthContext";
import type { Role } from "../../auth/jwt";
import { AuthSession } from "../../auth/session";
import { LiveProvider } from "../../live/LiveContext";
import { LiveSocket, type Topic } from "../../live/socket";

export interface Call {
  method: string;
  path: string;
  body: unknown;
  headers: Record<string, string>;
}

/** A route's answer: a body (status 200), or [status, body]. */
export type Answer = unknown | [number, unknown];
export type Routes = Record<string, Answer | ((call: Call) => Answer)>;

function jwt(claims: object): string {
  const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${b64({ alg: "HS256" })}.${b64(claims)}.sig`;
}

function reply(status: number, body: unknown): Response {
  if (status === 204) return new Response(null, { status });
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return new Response(text, { status, headers: { "Content-Type": "application/json" } });
}

/** Stubs fetch with `routes` (keys "GET /api/v1/orders"; unknown: 404); the calls made. */
export function mockFetch(routes: Routes): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit = {}) => {
      const method = init.method ?? "GET";
      const call: Call = {
        method,
        path: url,
        body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
        headers: (init.headers ?? {}) as Record<string, string>,
      };
      calls.push(call);
      const route = routes[`${method} ${url}`];
      if (route === undefined) return reply(404, { error: "not_found", message: "no such route" });
      const answer = typeof route === "function" ? (route as (c: Call) => Answer)(call) : route;
      return Array.isArray(answer) && answer.length === 2 && typeof answer[0] === "number"
        ? reply(answer[0], answer[1])
        : reply(200, answer);
    }),
  );
  return calls;
}

class FakeWebSocket {
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  send(text: string) {
    this.sent.push(text);
  }
  close() {
    this.readyState = 3;
    this.onclose?.();
  }
}

/** A LiveSocket on a fake WebSocket: `open()` connects it, `push()` delivers a frame. */
export function fakeLive() {
  vi.stubGlobal("WebSocket", { OPEN: 1 });
  const sockets: FakeWebSocket[] = [];
  const live = new LiveSocket({
    url: (t) => `ws://test/api/v1/ws?token=${t}`,
    token: () => "token",
    create: () => {
      const s = new FakeWebSocket();
      sockets.push(s);
      return s as unknown as WebSocket;
    },
    minDelayMs: 1_000_000,
  });
  live.start();
  const current = () => sockets[sockets.length - 1]!;
  return {
    live,
    open() {
      act(() => {
        current().readyState = 1;
        current().onopen?.();
      });
    },
    push(topic: Topic, data: unknown) {
      act(() => current().onmessage?.({ data: JSON.stringify({ topic, data }) }));
    },
    /** Topics the view subscribed to. */
    subscribed(): string[] {
      return current().sent.flatMap((s) => (JSON.parse(s) as { topics: string[] }).topics);
    },
  };
}

/** Signs in as `role` (through a mocked /auth/login) and renders `ui` with the live socket. */
export async function renderAs(role: Role, ui: ReactNode, routes: Routes) {
  const pair = { access_token: jwt({ sub: `a-${role}`, role, exp: 9e9 }), refresh_token: "r", token_type: "Bearer", expires_in: 900 };
  const calls = mockFetch({ ...routes, "POST /api/v1/auth/login": pair });
  const session = new AuthSession(null);
  await session.login(`a-${role}`, "password");
  const socket = fakeLive();
  socket.open();
  const view = render(
    <AuthProvider session={session}>
      <LiveProvider socket={socket.live}>{ui}</LiveProvider>
    </AuthProvider>,
  );
  return { ...view, calls, socket, session };
}

/** The calls other than the sign-in. */
export function apiCalls(calls: Call[], method?: string): Call[] {
  return calls.filter((c) => !c.path.startsWith("/api/v1/auth/") && (!method || c.method === method));
}

/** Types `text` into a field at once (a paste: far faster than key by key under jsdom). */
export async function fill(user: { click: (e: Element) => Promise<void>; paste: (t: string) => Promise<void> }, field: Element, text: string) {
  await user.click(field);
  await user.paste(text);
}
