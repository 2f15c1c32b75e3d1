import { afterEach, describe, expect, it, vi } from "vitest";
import { reply } from "../test/http";
import { api, ApiError, setTokenSource } from "./client";

afterEach(() => {
  vi.unstubAllGlobals();
  setTokenSource(null);
});

describe("api", () => {
  it("refreshes once on an expired token and retries with the new one", async () => {
    let token = "old";
    const refresh = vi.fn(async () => {
      token = "new";
      return true;
    });
    setTokenSource({ access: () => token, refresh });
    const seen: string[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (_url: string, init: RequestInit) => {
        const auth = (init.headers as Record<string, string>).Authorization ?? "";
        seen.push(auth);
        return auth === "Bearer new" ? reply(200, { ok: 1 }) : reply(401, { error: "token_expired", message: "expired" });
      }),
    );
    await expect(api<{ ok: number }>("/status")).resolves.toEqual({ ok: 1 });
    expect(seen).toEqual(["Bearer old", "Bearer new"]);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it("does not spend the refresh token on a wrong TOTP code", async () => {
    const refresh = vi.fn(async () => true);
    setTokenSource({ access: () => "t", refresh });
    vi.stubGlobal("fetch", vi.fn(async () => reply(401, { error: "totp_invalid", message: "wrong code" })));
    const error = await api("/risk/breakers/daily_loss/reset", { method: "POST", body: {}, totp: "000000" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe("totp_invalid");
    expect(refresh).not.toHaveBeenCalled();
  });

  it("sends the step-up code as X-TOTP and the body as JSON", async () => {
    setTokenSource({ access: () => "t", refresh: async () => false });
    const fetch = vi.fn(async () => new Response(null, { status: 204 }));
    vi.stubGlobal("fetch", fetch);
    await api("/x", { method: "PUT", body: { a: "1.5" }, totp: "123456" });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/v1/x");
    const headers = init.headers as Record<string, string>;
    expect(headers["X-TOTP"]).toBe("123456");
    expect(headers.Authorization).toBe("Bearer t");
    expect(init.body).toBe('{"a":"1.5"}');
  });
});
