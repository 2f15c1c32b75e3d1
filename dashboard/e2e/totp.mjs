// TOTP codes as RFC 6238 computes them (HMAC-SHA1, six digits, 30 s
// steps) from the base32 secret smc serve hands out at enrolment. The
// server spends a code's step on use and takes the steps next to the
// current one, so `nextCode` hands out each step once and waits when the
// next unused step is not yet acceptable.

import { createHmac } from "node:crypto";

export const PERIOD = 30;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** The bytes of an RFC 4648 base32 string (padding and case ignored). */
export function base32Decode(text) {
  const clean = text.replace(/=+$/, "").replace(/\s+/g, "").toUpperCase();
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const index = ALPHABET.indexOf(ch);
    if (index < 0) throw new Error(`not base32: ${JSON.stringify(ch)}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The RFC 4226 HOTP code of `counter`. */
export function hotp(key, counter, digits = 6) {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac("sha1", key).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, "0");
}

export const stepOf = (unixSeconds) => Math.floor(unixSeconds / PERIOD);

/** The code of `secret` (base32) for time step `step`. */
export function codeAt(secret, step) {
  return hotp(base32Decode(secret), step);
}

/** A code no step within one of now matches (for the wrong-code case). */
export function wrongCode(secret, now = Date.now() / 1000) {
  const step = stepOf(now);
  const near = new Set([-2, -1, 0, 1, 2].map((d) => codeAt(secret, step + d)));
  for (let n = 123456; ; n = (n + 111111) % 1000000) {
    const code = String(n).padStart(6, "0");
    if (!near.has(code)) return code;
  }
}

/** Hands out a secret's codes, each step once, as the server accepts them. */
export class TotpClock {
  constructor(secret) {
    this.secret = secret;
    this.lastStep = -1;
  }

  /** A code the server takes now, waiting (at most one step) if every acceptable step was spent. */
  async nextCode() {
    for (;;) {
      const current = stepOf(Date.now() / 1000);
      // The server takes current - 1, current and current + 1.
      const step = Math.max(this.lastStep + 1, current);
      if (step <= current + 1) {
        this.lastStep = step;
        return codeAt(this.secret, step);
      }
      const wait = (current + 1) * PERIOD * 1000 - Date.now() + 50;
      await new Promise((resolve) => setTimeout(resolve, Math.max(50, wait)));
    }
  }
}
