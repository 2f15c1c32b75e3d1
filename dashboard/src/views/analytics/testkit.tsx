// Test kit for the Analytics, Settings and Audit views: a fetch stand-in
// routed by method and path, a session signed in through a mocked
// /auth/login, and a LiveSocket over a fake WebSocket the test drives.

import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { vi } from "vitest";
import { AuthProvider } from "../../auth/AuthContext";
import type { Role } from "../../auth/jwt";
import { AuthSession } from "../../auth/session";
import { LiveProvider } from "../../live/LiveContext";
import { LiveSocket } from "../../live/socket";

export function jwt(claims: object): string {
  const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${b64({ alg: "HS256" })}.${b64(claims)}.sig`;
}

export function reply(status: number, body?: unknown): Response {
  if (status === 204) return new Response(null, { status });
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

/** One request the views made. */
export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string>;
}

/** Answers a call, or returns undefined to fall through to a 404. */
export type Route = (call: Call) => Response | undefined | Promise<Response | undefined>;

/** Stubs fetch with `route`; every call (but the login) is recorded. */
export function stubFetch(route: Route, role: Role = "admin"): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: string, init: RequestInit = {}) => {
      const url = new URL(input, "http://dash.test");
      const path = url.pathname.replace(/^\/api\/v1/, "");
      const call: Call = {
        method: init.method ?? "GET",
        path,
        query: url.searchParams,
        body: init.body ? JSON.parse(String(init.body)) : undefined,
        headers: (init.headers ?? {}) as Record<string, string>,
      };
      if (path === "/auth/login") {
        const access = jwt({ sub: `${role}-user`, role, exp: 9e9 });
        return reply(200, { access_token: access, refresh_token: "r", token_type: "Bearer", expires_in: 900 });
      }
      calls.push(call);
      return (await route(call)) ?? reply(404, { error: "not_found", message: `no route ${call.method} ${path}` });
    }),
  );
  return calls;
}

/** A WebSocket stand-in the test drives by hand. */
export class FakeSocket {
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
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  push(topic: string, data: unknown) {
    this.onmessage?.({ data: JSON.stringify({ topic, data }) });
  }
}

/** Signs in as `role` (fetch must be stubbed first) and renders `ui` inside the providers. */
export async function renderSigned(ui: ReactElement, role: Role = "admin") {
  vi.stubGlobal("WebSocket", { OPEN: 1 });
  const session = new AuthSession(null);
  await session.login(`${role}-user`, "password");
  const fake = new FakeSocket();
  const live = new LiveSocket({ url: () => "ws://dash.test/ws", token: () => "t", create: () => fake as unknown as WebSocket });
  live.start();
  fake.open();
  const view = render(
    <AuthProvider session={session}>
      <LiveProvider socket={live}>{ui}</LiveProvider>
    </AuthProvider>,
  );
  return { ...view, socket: fake, live, session };
}
