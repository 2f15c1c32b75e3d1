// A small REST client for smc serve (Node's fetch) and the accounts the
// suite sets up through it: a trader with TOTP enrolled, a trader and a
// viewer without, all created by the admin.

import { ADMIN_PASSWORD } from "./servers.mjs";
import { TotpClock } from "./totp.mjs";

export const PASSWORD = "e2e user password 1";

export class Api {
  constructor(base) {
    this.base = base;
  }

  /** `{status, body}` of a request (body parsed when JSON). */
  async call(method, path, { token, body, headers = {} } = {}) {
    const response = await fetch(`${this.base}/api/v1${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    let parsed = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed };
  }

  /** The body of a request that must answer `expect`. */
  async ok(method, path, options = {}, expect = [200, 201, 204]) {
    const r = await this.call(method, path, options);
    if (!expect.includes(r.status)) {
      throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    }
    return r.body;
  }

  /** An access token for `username`. */
  async token(username, password, totp) {
    const body = await this.ok("POST", "/auth/login", { body: { username, password, totp: totp ?? null } });
    return body.access_token;
  }
}

/**
 * Creates the suite's users and enrols TOTP for `totp`'s user. Returns
 * tokens, the TOTP clock (the next login code) and the usernames.
 */
export async function setUpAccounts(api) {
  const admin = await api.token("admin", ADMIN_PASSWORD);
  const users = { totp: "alice", trader: "bob", viewer: "victor" };
  for (const [name, role] of [
    [users.totp, "trader"],
    [users.trader, "trader"],
    [users.viewer, "viewer"],
  ]) {
    await api.ok("POST", "/users", { token: admin, body: { username: name, password: PASSWORD, role } });
  }
  const alice = await api.token(users.totp, PASSWORD);
  const enrolment = await api.ok("POST", "/auth/totp/enroll", { token: alice });
  const clock = new TotpClock(enrolment.secret);
  const confirmed = await api.ok("POST", "/auth/totp/confirm", { token: alice, body: { code: await clock.nextCode() } });
  if (confirmed.enrolled !== true) throw new Error(`TOTP not enrolled: ${JSON.stringify(confirmed)}`);
  return { admin, users, totp: clock, secret: enrolment.secret };
}
