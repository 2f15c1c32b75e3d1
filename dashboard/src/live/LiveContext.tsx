// React access to the live stream: the connection state and topic hooks.

import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import type { ConnectionState, LiveSocket, Topic } from "./socket";

const LiveContext = createContext<LiveSocket | null>(null);

export function LiveProvider({ socket, children }: { socket: LiveSocket; children: ReactNode }) {
  return <LiveContext.Provider value={socket}>{children}</LiveContext.Provider>;
}

export function useLiveSocket(): LiveSocket {
  const socket = useContext(LiveContext);
  if (!socket) throw new Error("useLiveSocket outside LiveProvider");
  return socket;
}

export function useConnectionState(): ConnectionState {
  const socket = useLiveSocket();
  const [state, setState] = useState<ConnectionState>(socket.connectionState());
  useEffect(() => socket.onState(setState), [socket]);
  return state;
}

/** Calls `handler` with each message of `topic` while mounted. */
export function useTopic(topic: Topic, handler: (data: unknown) => void): void {
  const socket = useLiveSocket();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => socket.subscribe(topic, (data) => latest.current(data)), [socket, topic]);
}

/** Calls `handler` each time the stream (re)connects, e.g. to reload a snapshot. */
export function useOnConnected(handler: () => void): void {
  const socket = useLiveSocket();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(
    () =>
      socket.onState((state) => {
        if (state === "Connected") latest.current();
      }),
    [socket],
  );
}
