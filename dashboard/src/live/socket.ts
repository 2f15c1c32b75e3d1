// One reconnecting WebSocket to /api/v1/ws for the whole dashboard. Views
// subscribe to hub topics; the socket (re)sends the union of what is wanted
// after every connect, and backs off exponentially while the server is away.

export type ConnectionState = "Connected" | "Reconnecting" | "Disconnected";

export type Topic =
  | "candles"
  | "detections"
  | "orders"
  | "fills"
  | "positions"
  | "risk"
  | "system"
  | "backtests"
  | "optimizations";

export interface Frame {
  topic: Topic;
  data: unknown;
}

type Handler = (data: unknown) => void;
type StateListener = (state: ConnectionState) => void;

export interface SocketOptions {
  /** The URL to open, given the current access token. */
  url: (token: string) => string;
  token: () => string | null;
  /** Called before a reconnect, so an expired token can be refreshed. */
  refresh?: () => Promise<boolean>;
  create?: (url: string) => WebSocket;
  minDelayMs?: number;
  maxDelayMs?: number;
}

export class LiveSocket {
  private socket: WebSocket | null = null;
  private state: ConnectionState = "Disconnected";
  private readonly handlers = new Map<Topic, Set<Handler>>();
  private readonly stateListeners = new Set<StateListener>();
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;

  constructor(private readonly options: SocketOptions) {}

  connectionState(): ConnectionState {
    return this.state;
  }

  onState(listener: StateListener): () => void {
    this.stateListeners.add(listener);
    listener(this.state);
    return () => this.stateListeners.delete(listener);
  }

  /** Receives `topic`'s messages until the returned function is called. */
  subscribe(topic: Topic, handler: Handler): () => void {
    let set = this.handlers.get(topic);
    if (!set) {
      set = new Set();
      this.handlers.set(topic, set);
      this.send({ op: "subscribe", topics: [topic] });
    }
    set.add(handler);
    return () => {
      const current = this.handlers.get(topic);
      if (!current) return;
      current.delete(handler);
      if (current.size === 0) {
        this.handlers.delete(topic);
        this.send({ op: "unsubscribe", topics: [topic] });
      }
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.open();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.socket?.close(1000, "signed out");
    this.socket = null;
    this.setState("Disconnected");
  }

  private open(): void {
    const token = this.options.token();
    if (!token) {
      this.setState("Disconnected");
      return;
    }
    const url = this.options.url(token);
    const socket = this.options.create ? this.options.create(url) : new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      this.attempts = 0;
      this.setState("Connected");
      const topics = [...this.handlers.keys()];
      if (topics.length > 0) this.send({ op: "subscribe", topics });
    };
    socket.onmessage = (event: MessageEvent) => this.dispatch(event.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.running) this.retry();
    };
  }

  private retry(): void {
    this.setState("Reconnecting");
    const min = this.options.minDelayMs ?? 500;
    const max = this.options.maxDelayMs ?? 15_000;
    const delay = Math.min(max, min * 2 ** this.attempts);
    this.attempts += 1;
    this.timer = setTimeout(() => {
      this.timer = null;
      const again = () => {
        if (this.running) this.open();
      };
      if (this.options.refresh) void this.options.refresh().then(again, again);
      else again();
    }, delay);
  }

  private dispatch(raw: unknown): void {
    if (typeof raw !== "string") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return;
    }
    if (!parsed || typeof parsed !== "object" || !("topic" in parsed)) return;
    const frame = parsed as Frame;
    const set = this.handlers.get(frame.topic);
    if (!set) return;
    for (const handler of set) handler(frame.data);
  }

  private send(message: { op: "subscribe" | "unsubscribe"; topics: Topic[] }): void {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
    }
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

/** The stream's address on the page's own host. */
export function streamUrl(token: string, location: Location = window.location): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/api/v1/ws?token=${encodeURIComponent(token)}`;
}
