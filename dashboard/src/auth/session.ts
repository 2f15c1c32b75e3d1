// The signed-in session's tokens: the access token in memory, the refresh
// token in sessionStorage (a reload keeps you signed in, closing the tab
// does not), refreshed in the background before the access token expires.

import { api, setTokenSource, type TokenPair } from "../api/client";
import { claimsOf, type Claims } from "./jwt";

const REFRESH_KEY = "smc.refresh_token";

export interface Signed {
  claims: Claims;
  access: string;
}

type Listener = (signed: Signed | null) => void;

/** Holds the tokens and tells listeners when the user signs in or out. */
export class AuthSession {
  private access: string | null = null;
  private refreshToken: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inflight: Promise<boolean> | null = null;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly storage: Storage | null = globalThis.sessionStorage ?? null) {
    this.refreshToken = this.storage?.getItem(REFRESH_KEY) ?? null;
    setTokenSource({ access: () => this.access, refresh: () => this.refresh() });
  }

  current(): Signed | null {
    const claims = this.access ? claimsOf(this.access) : null;
    return claims && this.access ? { claims, access: this.access } : null;
  }

  hasRefreshToken(): boolean {
    return this.refreshToken !== null;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Signs in; throws ApiError (code `totp_required` when a code is needed). */
  async login(username: string, password: string, totp?: string): Promise<void> {
    const pair = await api<TokenPair>("/auth/login", {
      method: "POST",
      body: { username, password, totp: totp && totp.length > 0 ? totp : null },
    });
    this.accept(pair);
  }

  /** Spends the refresh token for a new pair; one at a time. */
  refresh(): Promise<boolean> {
    if (!this.refreshToken) return Promise.resolve(false);
    if (!this.inflight) {
      const token = this.refreshToken;
      this.inflight = api<TokenPair>("/auth/refresh", { method: "POST", body: { refresh_token: token } })
        .then((pair) => {
          this.accept(pair);
          return true;
        })
        .catch(() => {
          this.clear();
          return false;
        })
        .finally(() => {
          this.inflight = null;
        });
    }
    return this.inflight;
  }

  async logout(): Promise<void> {
    const refresh_token = this.refreshToken;
    try {
      if (this.access) await api<unknown>("/auth/logout", { method: "POST", body: { refresh_token } });
    } finally {
      this.clear();
    }
  }

  private accept(pair: TokenPair): void {
    this.access = pair.access_token;
    this.refreshToken = pair.refresh_token;
    this.storage?.setItem(REFRESH_KEY, pair.refresh_token);
    this.schedule(pair.expires_in);
    this.emit();
  }

  private schedule(expiresIn: number): void {
    if (this.timer) clearTimeout(this.timer);
    // Refresh at 80 % of the token's life, at least 5 s from now.
    const delay = Math.max(5, expiresIn * 0.8) * 1000;
    this.timer = setTimeout(() => void this.refresh(), delay);
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.access = null;
    this.refreshToken = null;
    this.storage?.removeItem(REFRESH_KEY);
    this.emit();
  }

  private emit(): void {
    const signed = this.current();
    for (const listener of this.listeners) listener(signed);
  }
}
