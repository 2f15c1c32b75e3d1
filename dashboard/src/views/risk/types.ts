// The shape of GET /risk: the config's limits and, per session, breakers,
// refusals, equity and exposure (per position at entry; per venue and per
// group at the last close, and the VaR, from newer servers: absent on older).

export interface Limits {
  max_position_size: string;
  max_daily_loss: string;
  stop_loss_percent: string;
  max_drawdown_percent: string | null;
  max_leverage: string | null;
  max_portfolio_var_percent: string | null;
  var_confidence: string;
}

export interface Breaker {
  /** `tripped`, `cooling_down` or `armed`. */
  state: string;
  reason: string;
  time: number;
}

export interface VenueExposure {
  venue: string;
  notional: string;
  percent_of_equity: string | null;
}

export interface GroupExposure {
  group: string;
  /** `correlated` (config) or `base_asset`. */
  kind: string;
  symbols: string[];
  notional: string;
  percent_of_equity: string | null;
}

export interface VarView {
  confidence: string;
  value: string;
  percent: string;
}

export interface RiskSession {
  session: string;
  breakers: Record<string, Breaker>;
  risk_refusals: number;
  exposure: { instrument: string; notional: string }[];
  exposure_by_venue?: VenueExposure[];
  exposure_by_group?: GroupExposure[];
  var?: VarView | null;
  equity: string | null;
}

export interface RiskAnswer {
  limits: Limits;
  sessions: RiskSession[];
}
