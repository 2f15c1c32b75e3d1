import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import SettingsView from "../SettingsView";
import { reply, type Call } from "../../test/http";
import { renderAs } from "../../test/signedIn";
import { checkValue, fieldOf, jsonDecimal, maskSecrets } from "./fields";
import { ApiError } from "../../api/client";

const config = {
  risk_manager: { max_position_size: 1000, max_daily_loss: 500, stop_loss_percent: 2, var_confidence: 0.99, correlated_groups: [["BTCUSDT", "ETHUSDT"]] },
  exchanges: { binance: { enabled: true, symbols: ["BTCUSDT", "ETHUSDT"], api_secret: "s3cr3t-value", base_url: "http://127.0.0.1:9" } },
};

function server(extra: (call: Call) => Response | undefined = () => undefined) {
  return (call: Call) => {
    const answer = extra(call);
    if (answer) return answer;
    if (call.path === "/config") return reply(200, config);
    if (call.path === "/config/strategy") return reply(200, { strategy: "smc", timeframes: ["1h", "4h"], params: { reward_risk: 2.0, exits: { break_even_after_r: 1 } } });
    if (call.path === "/users") return reply(200, [{ username: "admin", role: "admin", totp_enrolled: true, created_at: 0 }]);
    if (call.path === "/api-keys" && call.method === "GET") return reply(200, []);
    return undefined;
  };
}

const region = (name: string) => screen.getByRole("region", { name });

afterEach(() => vi.unstubAllGlobals());

// The whole view renders in jsdom: typing into it is slow on a small machine.
describe("SettingsView", { timeout: 30_000 }, () => {
  it("refuses a negative risk limit without calling the API, then saves and shows the server's field error", async () => {
    let answer = reply(200, { applied_to_running_sessions: true });
    const { calls } = await renderAs("admin", <SettingsView />, server((c) => (c.method === "PUT" && c.path === "/config/risk" ? answer : undefined)));
    const user = userEvent.setup();
    const loss = await within(await screen.findByRole("region", { name: "Risk limits" })).findByLabelText(/Max daily loss/);
    await vi.waitFor(() => expect(loss).toHaveValue("500"));
    await user.clear(loss);
    await user.type(loss, "-5");
    await user.click(screen.getByRole("button", { name: "Save risk limits" }));
    expect(await within(region("Risk limits")).findByText(/Must be a positive number/)).toBeInTheDocument();
    expect(calls.filter((c) => c.method === "PUT")).toHaveLength(0);

    await user.clear(loss);
    await user.type(loss, "750.25");
    await user.click(screen.getByRole("button", { name: "Save risk limits" }));
    expect(await screen.findByText(/running sessions reload it/)).toBeInTheDocument();
    const put = calls.find((c) => c.method === "PUT");
    expect(put?.body).toMatchObject({ max_daily_loss: 750.25, max_position_size: 1000, stop_loss_percent: 2, correlated_groups: [["BTCUSDT", "ETHUSDT"]] });

    answer = reply(422, { error: "invalid_field", message: "must be a percentage in (0, 100], got 99", field: "risk_manager.stop_loss_percent" });
    await user.click(screen.getByRole("button", { name: "Save risk limits" }));
    const stop = within(region("Risk limits")).getByLabelText(/Stop loss %/);
    await vi.waitFor(() => expect(stop).toHaveAttribute("aria-invalid", "true"));
    expect(within(region("Risk limits")).getByText(/must be a percentage in \(0, 100\], got 99/)).toBeInTheDocument();
  });

  it("shows a non-admin read-only settings without users or API keys, secrets masked", async () => {
    const { calls } = await renderAs("viewer", <SettingsView />, server());
    expect(await screen.findByText(/Read-only/)).toBeInTheDocument();
    const exchanges = await screen.findByRole("region", { name: "Exchanges" });
    expect(within(exchanges).getByRole("row", { name: /api_secret/ })).toHaveTextContent("•••• (hidden)");
    expect(exchanges).not.toHaveTextContent("s3cr3t-value");
    expect(within(exchanges).queryByRole("button", { name: "Store keys" })).toBeNull();
    expect(screen.queryByRole("region", { name: "Users" })).toBeNull();
    expect(screen.queryByRole("region", { name: "API keys" })).toBeNull();
    expect(screen.queryByRole("button", { name: /Save/ })).toBeNull();
    expect(await within(region("Risk limits")).findByLabelText(/Max daily loss/)).toHaveAttribute("readonly");
    expect(calls.some((c) => c.path === "/users" || c.path === "/api-keys")).toBe(false);
    expect(screen.getByRole("region", { name: /Two-factor sign-in/ })).toBeInTheDocument();
  });

  it("lets an admin create an API key shown once, and store exchange keys with a code", async () => {
    const { calls } = await renderAs(
      "admin",
      <SettingsView />,
      server((c) => {
        if (c.method === "POST" && c.path === "/api-keys") return reply(201, { id: "k1", key: "smc_secretkeyvalue", role: "trader", expires_at: null });
        if (c.method === "PUT" && c.path === "/exchanges/binance/keys") return reply(204);
        return undefined;
      }),
    );
    const user = userEvent.setup();
    const keys = await screen.findByRole("region", { name: "API keys" });
    await user.type(within(keys).getByLabelText(/Expires in days/), "30");
    await user.click(within(keys).getByRole("button", { name: "Create key" }));
    expect(await within(keys).findByTestId("shown-once")).toHaveTextContent("smc_secretkeyvalue");
    expect(calls.find((c) => c.method === "POST" && c.path === "/api-keys")?.body).toEqual({ role: "viewer", expires_in_days: 30 });
    await user.click(within(keys).getByRole("button", { name: "I have stored it" }));
    expect(within(keys).queryByTestId("shown-once")).toBeNull();
    expect(screen.getByRole("region", { name: "Users" })).toHaveTextContent("admin");

    const exchanges = region("Exchanges");
    await user.type(within(exchanges).getByLabelText(/API key/), "AK");
    await user.type(within(exchanges).getByLabelText(/API secret/), "SK");
    await user.type(within(exchanges).getByLabelText(/Code/), "123456");
    await user.click(within(exchanges).getByRole("button", { name: "Store keys" }));
    expect(await within(exchanges).findByText(/Keys stored for binance/)).toBeInTheDocument();
    const put = calls.find((c) => c.path === "/exchanges/binance/keys");
    expect(put?.body).toEqual({ api_key: "AK", api_secret: "SK" });
    expect(put?.headers["X-TOTP"]).toBe("123456");
  });

  it("puts a strategy validation error on its field and keeps the JSON-only keys", async () => {
    const { calls } = await renderAs(
      "admin",
      <SettingsView />,
      server((c) =>
        c.method === "PUT" && c.path === "/config/strategy"
          ? reply(422, { error: "invalid_field", message: "params:3: `backtest.smc_strategy.reward_risk` must be in (0, 1000], got 5000", field: "params" })
          : undefined,
      ),
    );
    const user = userEvent.setup();
    const strategy = await screen.findByRole("region", { name: "Strategy" });
    const rr = within(strategy).getByLabelText(/Reward : risk/);
    await vi.waitFor(() => expect(rr).toHaveValue("2"));
    await user.clear(rr);
    await user.type(rr, "5000");
    await user.click(within(strategy).getByRole("button", { name: "Save strategy" }));
    await vi.waitFor(() => expect(rr).toHaveAttribute("aria-invalid", "true"));
    const put = calls.find((c) => c.method === "PUT");
    expect(put?.body).toMatchObject({ strategy: "smc", timeframes: ["1h", "4h"], params: { reward_risk: 5000, exits: { break_even_after_r: 1 } } });
  });

  it("enrols the user's own TOTP and confirms it with a code", async () => {
    const { calls } = await renderAs(
      "trader",
      <SettingsView />,
      server((c) => {
        if (c.path === "/auth/totp/enroll") return reply(200, { secret: "ABCDEF", otpauth_url: "otpauth://totp/x?secret=ABCDEF", recovery_codes: ["aaaa-bbbb", "cccc-dddd"] });
        if (c.path === "/auth/totp/confirm") return reply(200, { enrolled: true });
        return undefined;
      }),
    );
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Enrol TOTP" }));
    expect(await screen.findByTestId("totp-secret")).toHaveTextContent("ABCDEF");
    expect(screen.getByRole("list", { name: "Recovery codes" })).toHaveTextContent("cccc-dddd");
    await user.type(screen.getByLabelText(/^Code/), "654321");
    await user.click(screen.getByRole("button", { name: "Confirm" }));
    expect(await screen.findByText(/Two-factor sign-in is on/)).toBeInTheDocument();
    expect(calls.find((c) => c.path === "/auth/totp/confirm")?.body).toEqual({ code: "654321" });
  });
});

describe("settings helpers", () => {
  it("checks decimals by rule", () => {
    expect(checkValue("-1", "positive")).toMatch(/positive number/);
    expect(checkValue("0", "positive")).toMatch(/above 0/);
    expect(checkValue("100", "percent")).toBeNull();
    expect(checkValue("100.5", "percent")).toMatch(/at most 100/);
    expect(checkValue("1", "fraction")).toMatch(/between 0 and 1/);
    expect(checkValue("0.95", "fraction")).toBeNull();
    expect(checkValue("2.5", "count")).toMatch(/whole number/);
  });

  it("maps server fields, keeps decimals exact and masks secrets", () => {
    const e = (field: string, message = "bad") => new ApiError(422, { error: "invalid_field", message, field });
    expect(fieldOf(e("risk_manager.max_daily_loss"), ["risk_manager"])).toBe("max_daily_loss");
    expect(fieldOf(e("params.rewardrisk"), ["params"])).toBe("rewardrisk");
    expect(fieldOf(e("params", "`backtest.smc_strategy.stop_buffer` must be"), ["params", "backtest.smc_strategy"])).toBe("stop_buffer");
    expect(jsonDecimal("0.10")).toBe(0.1);
    expect(jsonDecimal("12345678901234567.89")).toBe("12345678901234567.89");
    expect(maskSecrets({ a: { api_key: "x", token: "", n: 1 } })).toEqual({ a: { api_key: "•••• (hidden)", token: "", n: 1 } });
  });
});
