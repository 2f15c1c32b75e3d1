import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { reply } from "../test/http";
import { jwt } from "../test/signedIn";
import { AuthSession } from "./session";
import { LoginPage } from "./LoginPage";

afterEach(() => vi.unstubAllGlobals());

describe("LoginPage", () => {
  it("asks for the code when TOTP is enrolled, then signs in with it", async () => {
    const bodies: unknown[] = [];
    const pair = { access_token: jwt({ sub: "ana", role: "trader", exp: 9e9 }), refresh_token: "r1", token_type: "Bearer", expires_in: 900 };
    vi.stubGlobal(
      "fetch",
      vi.fn(async (_url: string, init: RequestInit) => {
        const body = JSON.parse(String(init.body)) as { totp: string | null };
        bodies.push(body);
        return body.totp ? reply(200, pair) : reply(401, { error: "totp_required", message: "a code is required" });
      }),
    );
    const session = new AuthSession(null);
    render(<LoginPage session={session} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText(/Username/), "ana");
    await user.type(screen.getByLabelText(/Password/), "secret-password");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    const code = await screen.findByLabelText(/Code/);
    await user.type(code, "123456");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await vi.waitFor(() => expect(session.current()?.claims.sub).toBe("ana"));
    expect(bodies).toEqual([
      { username: "ana", password: "secret-password", totp: null },
      { username: "ana", password: "secret-password", totp: "123456" },
    ]);
    expect(session.current()?.claims.role).toBe("trader");
  });

  it("says so when the password is wrong", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => reply(401, { error: "unauthorized", message: "bad credentials" })));
    render(<LoginPage session={new AuthSession(null)} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText(/Username/), "ana");
    await user.type(screen.getByLabelText(/Password/), "nope");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong username or password.");
    expect(screen.queryByLabelText(/Code/)).toBeNull();
  });
});
