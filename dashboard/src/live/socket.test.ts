import { describe, expect, it, vi } from "vitest";
import { fakeLive } from "../test/fakeSocket";
import { streamUrl, type ConnectionState } from "./socket";

function harness() {
  const { live, sockets } = fakeLive({ url: (t) => `ws://h/api/v1/ws?token=${t}`, minDelayMs: 10, maxDelayMs: 40 });
  const states: ConnectionState[] = [];
  live.onState((s) => states.push(s));
  return { live, sockets, states };
}

describe("LiveSocket", () => {
  it("subscribes to wanted topics on connect and dispatches frames by topic", () => {
    const { live, sockets } = harness();
    const orders: unknown[] = [];
    live.subscribe("orders", (d) => orders.push(d));
    live.start();
    const socket = sockets[0]!;
    expect(socket.url).toBe("ws://h/api/v1/ws?token=tok");
    socket.open();
    expect(JSON.parse(socket.sent[0]!)).toEqual({ op: "subscribe", topics: ["orders"] });
    socket.onmessage?.({ data: JSON.stringify({ topic: "orders", data: { id: 1 } }) });
    socket.onmessage?.({ data: JSON.stringify({ topic: "fills", data: { id: 2 } }) });
    socket.onmessage?.({ data: "not json" });
    expect(orders).toEqual([{ id: 1 }]);
  });

  it("says Reconnecting after a drop and resubscribes after reconnecting", async () => {
    vi.useFakeTimers();
    const { live, sockets, states } = harness();
    live.subscribe("candles", () => undefined);
    live.start();
    sockets[0]!.open();
    sockets[0]!.close();
    expect(live.connectionState()).toBe("Reconnecting");
    await vi.advanceTimersByTimeAsync(11);
    expect(sockets).toHaveLength(2);
    sockets[1]!.open();
    expect(JSON.parse(sockets[1]!.sent[0]!)).toEqual({ op: "subscribe", topics: ["candles"] });
    expect(states).toEqual(["Disconnected", "Connected", "Reconnecting", "Connected"]);
    live.stop();
    expect(live.connectionState()).toBe("Disconnected");
    vi.useRealTimers();
  });

  it("backs off exponentially up to the cap", async () => {
    vi.useFakeTimers();
    const { live, sockets } = harness();
    live.start();
    for (const wait of [10, 20, 40, 40]) {
      sockets.at(-1)!.close();
      const before = sockets.length;
      await vi.advanceTimersByTimeAsync(wait - 1);
      expect(sockets.length).toBe(before);
      await vi.advanceTimersByTimeAsync(1);
      expect(sockets.length).toBe(before + 1);
    }
    live.stop();
    vi.useRealTimers();
  });

  it("unsubscribes when the last handler of a topic leaves", () => {
    const { live, sockets } = harness();
    live.start();
    sockets[0]!.open();
    const off = live.subscribe("risk", () => undefined);
    off();
    expect(sockets[0]!.sent.map((s) => JSON.parse(s))).toEqual([
      { op: "subscribe", topics: ["risk"] },
      { op: "unsubscribe", topics: ["risk"] },
    ]);
  });

  it("builds wss URLs on https pages", () => {
    const location = { protocol: "https:", host: "agent.example:8443" } as Location;
    expect(streamUrl("a b", location)).toBe("wss://agent.example:8443/api/v1/ws?token=a%20b");
  });
});
