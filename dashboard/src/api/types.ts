// Shapes of the API's JSON shared by more than one view.

/** A fill: GET /api/v1/trades items (with `session`) and `fills` frames' events (with `type: "fill"`). */
export interface Fill {
  client_id: string;
  instrument: string;
  trade_id: string;
  side: "buy" | "sell";
  price: string;
  qty: string;
  fee: string;
  liquidity: string;
  time: number;
  session?: string;
  /** The setup of the order it filled (`fvg_retest:1h`); null or absent when none is known. */
  setup?: string | null;
}
