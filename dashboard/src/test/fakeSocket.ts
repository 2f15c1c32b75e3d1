// A WebSocket stand-in the test drives by hand, and a LiveSocket built on
// it: every socket the LiveSocket opens is kept in `sockets` (the latest is
// the one in use), so a test can open, feed, drop and inspect it.

import { vi } from "vitest";
import { LiveSocket, type SocketOptions } from "../live/socket";

export class FakeWebSocket {
  readyState = 0;
  /** What the LiveSocket sent, as written. */
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(readonly url: string) {}
  send(text: string) {
    this.sent.push(text);
  }
  /** Closes it (or the server drops it): the LiveSocket hears onclose. */
  close() {
    this.readyState = 3;
    this.onclose?.();
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  /** Delivers one frame `{topic, data}`. */
  push(topic: string, data: unknown) {
    this.onmessage?.({ data: JSON.stringify({ topic, data }) });
  }
}

/** A LiveSocket (not started) whose sockets are FakeWebSockets; `options` override the defaults. */
export function fakeLive(options: Partial<SocketOptions> = {}) {
  vi.stubGlobal("WebSocket", { OPEN: 1 });
  const sockets: FakeWebSocket[] = [];
  const live = new LiveSocket({
    url: (t) => `ws://test/api/v1/ws?token=${t}`,
    token: () => "tok",
    create: (url) => {
      const s = new FakeWebSocket(url);
      sockets.push(s);
      return s as unknown as WebSocket;
    },
    minDelayMs: 1_000_000,
    ...options,
  });
  return { live, sockets, current: () => sockets[sockets.length - 1]! };
}
