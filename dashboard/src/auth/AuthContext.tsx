// React access to the signed-in session: who, which role, sign in and out.

import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { AuthSession, type Signed } from "./session";

interface AuthValue {
  signed: Signed | null;
  /** True until a stored refresh token has been tried after a reload. */
  restoring: boolean;
  session: AuthSession;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ session, children }: { session: AuthSession; children: ReactNode }) {
  const [signed, setSigned] = useState<Signed | null>(session.current());
  const [restoring, setRestoring] = useState(() => session.current() === null && session.hasRefreshToken());
  useEffect(() => session.subscribe(setSigned), [session]);
  useEffect(() => {
    if (!restoring) return;
    void session.refresh().finally(() => setRestoring(false));
  }, [session, restoring]);
  const value = useMemo(() => ({ signed, restoring, session }), [signed, restoring, session]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}

/** The signed-in user (views render only when signed in). */
export function useSigned(): Signed {
  const { signed } = useAuth();
  if (!signed) throw new Error("useSigned while signed out");
  return signed;
}
