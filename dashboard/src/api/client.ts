// The one door to the REST API: adds the access token, refreshes it once
// when the server answers 401, and turns error bodies into ApiError.

export interface ErrorBody {
  error: string;
  message: string;
  field?: string | null;
}

/** An answer other than 2xx, with the server's stable code and message. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | null;

  constructor(status: number, body: ErrorBody) {
    super(body.message);
    this.status = status;
    this.code = body.error;
    this.field = body.field ?? null;
  }
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

/** What the client needs from whoever holds the tokens. */
export interface TokenSource {
  access(): string | null;
  /** Spends the refresh token; resolves false when the session is over. */
  refresh(): Promise<boolean>;
}

let source: TokenSource | null = null;

export function setTokenSource(next: TokenSource | null): void {
  source = next;
}

export const API = "/api/v1";

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** A current TOTP code for routes that ask for a step-up. */
  totp?: string;
  signal?: AbortSignal;
}

async function send(path: string, options: RequestOptions, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.totp) headers["X-TOTP"] = options.totp;
  return fetch(`${API}${path}`, {
    method: options.method ?? "GET",
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
}

async function errorOf(response: Response): Promise<ApiError> {
  let body: ErrorBody = { error: `http_${response.status}`, message: response.statusText || "request failed" };
  try {
    const parsed: unknown = await response.json();
    if (parsed && typeof parsed === "object" && "error" in parsed && "message" in parsed) {
      body = parsed as ErrorBody;
    }
  } catch {
    // Not JSON (a proxy's page): keep the status text.
  }
  return new ApiError(response.status, body);
}

/** Codes of a 401 that a fresh access token cures (not a wrong TOTP code). */
const TOKEN_CODES = new Set(["token_expired", "invalid_token", "unauthorized"]);

/** Calls the API; retries once after a token refresh when the token was the problem. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  let response = await send(path, options, source?.access() ?? null);
  if (response.status === 401 && source && !path.startsWith("/auth/")) {
    const error = await errorOf(response);
    if (!TOKEN_CODES.has(error.code)) throw error;
    if (!(await source.refresh())) throw error;
    response = await send(path, options, source.access());
  }
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A message for people out of any thrown value. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  if (error instanceof Error) return error.message;
  return String(error);
}
