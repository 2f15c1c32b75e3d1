// A REST snapshot kept fresh by the stream: loaded on mount and again on
// every (re)connect of the live socket (events missed while away), never
// polled. Stream handlers change it in place through `set`.

import { useRef } from "react";
import { useApi, type Loaded } from "../../components/useApi";
import { useLiveSocket, useOnConnected } from "../../live/LiveContext";

export function useLiveResource<T>(path: string | null): Loaded<T> {
  const loaded = useApi<T>(path);
  const socket = useLiveSocket();
  // Already connected at mount: the mount's own load is the snapshot.
  const skipFirst = useRef(socket.connectionState() === "Connected");
  const { reload } = loaded;
  useOnConnected(() => {
    if (skipFirst.current) {
      skipFirst.current = false;
      return;
    }
    reload();
  });
  return loaded;
}
