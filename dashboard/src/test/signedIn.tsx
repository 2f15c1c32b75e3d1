// Renders a view as the dashboard shows it to a signed-in user: an
// AuthSession signed in as a role through a mocked /auth/login, and a
// LiveSocket on a fake WebSocket that the test opens and feeds frames.

import { act, render } from "@testing-library/react";
import type { ReactNode } from "react";
import { AuthProvider } from "../auth/AuthContext";
import type { Role } from "../auth/jwt";
import { AuthSession } from "../auth/session";
import { LiveProvider } from "../live/LiveContext";
import type { Topic } from "../live/socket";
import { fakeLive } from "./fakeSocket";
import { mockFetch, reply, table, type Call, type Route, type Routes } from "./http";

/** An unsigned token carrying `claims` (the dashboard only reads them). */
export function jwt(claims: object): string {
  const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${b64({ alg: "HS256" })}.${b64(claims)}.sig`;
}

/** A started LiveSocket on fake WebSockets, driven inside act(). */
export function liveControls() {
  const { live, sockets, current } = fakeLive();
  live.start();
  return {
    live,
    sockets,
    open() {
      act(() => current().open());
    },
    push(topic: Topic, data: unknown) {
      act(() => current().push(topic, data));
    },
    /** The messages sent on the current socket. */
    sent(): unknown[] {
      return current().sent.map((s) => JSON.parse(s) as unknown);
    },
    /** Topics named in the messages sent (the view's subscriptions). */
    subscribed(): string[] {
      return current().sent.flatMap((s) => (JSON.parse(s) as { topics: string[] }).topics);
    },
  };
}

/**
 * Stubs fetch with `route`, signs in as `role` and renders `ui` with an
 * open live socket. `calls` holds every request after the sign-in.
 */
export async function renderAs(role: Role, ui: ReactNode, route: Route | Routes) {
  const answer = typeof route === "function" ? route : table(route);
  const pair = { access_token: jwt({ sub: `${role}-user`, role, exp: 9e9 }), refresh_token: "r", token_type: "Bearer", expires_in: 900 };
  const calls = mockFetch((call) => (call.method === "POST" && call.path === "/auth/login" ? reply(200, pair) : answer(call)));
  const session = new AuthSession(null);
  await session.login(`${role}-user`, "password");
  calls.length = 0;
  const socket = liveControls();
  socket.open();
  const view = render(
    <AuthProvider session={session}>
      <LiveProvider socket={socket.live}>{ui}</LiveProvider>
    </AuthProvider>,
  );
  return { ...view, calls, socket, session };
}

/** The calls other than to /auth/, optionally of one method. */
export function apiCalls(calls: Call[], method?: string): Call[] {
  return calls.filter((c) => !c.path.startsWith("/auth/") && (!method || c.method === method));
}
