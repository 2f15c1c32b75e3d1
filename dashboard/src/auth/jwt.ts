// Reads the claims of our own access token (HS256, signed by smc serve) so
// the dashboard knows who is signed in and with which role; the server still
// decides every request.

export type Role = "admin" | "trader" | "viewer" | "auditor";

export interface Claims {
  sub: string;
  role: Role;
  exp: number;
}

function base64UrlDecode(part: string): string {
  const padded = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The token's claims, or null when it is not a JWT with the fields we need. */
export function claimsOf(token: string): Claims | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const parsed: unknown = JSON.parse(base64UrlDecode(payload));
    if (!parsed || typeof parsed !== "object") return null;
    const { sub, role, exp } = parsed as Record<string, unknown>;
    if (typeof sub !== "string" || typeof exp !== "number") return null;
    if (role !== "admin" && role !== "trader" && role !== "viewer" && role !== "auditor") return null;
    return { sub, role, exp };
  } catch {
    return null;
  }
}

/** What a role may do in the dashboard (mirrors the server's role table). */
export function canTrade(role: Role): boolean {
  return role === "admin" || role === "trader";
}

export function isAdmin(role: Role): boolean {
  return role === "admin";
}

export function canAudit(role: Role): boolean {
  return role === "admin" || role === "auditor";
}
