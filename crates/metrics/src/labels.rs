//! The label sets of the metric families, and the mapping of domain values
//! to short label codes.
//!
//! Every label value is either an identifier the operator chose (a session
//! id, a symbol, a breaker name from the config, a route template) or one
//! of a fixed set of codes below, so the number of series stays bounded:
//! free text (a venue's rejection message, a disconnect reason, a raw URL
//! path) never becomes a label value.

use prometheus_client::encoding::EncodeLabelSet;
use smc_model::Side;
use smc_runtime::Stream;

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(crate) struct SessionL {
    pub session: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(crate) struct SessionSymbol {
    pub session: String,
    pub symbol: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(crate) struct SessionSymbolSide {
    pub session: String,
    pub symbol: String,
    pub side: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(crate) struct SessionReason {
    pub session: String,
    pub reason: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(crate) struct SessionBreaker {
    pub session: String,
    pub breaker: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(crate) struct SessionStream {
    pub session: String,
    pub stream: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(crate) struct SessionKind {
    pub session: String,
    pub kind: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(crate) struct SessionVenue {
    pub session: String,
    pub venue: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(crate) struct SessionLevel {
    pub session: String,
    pub level: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(crate) struct SessionQuantile {
    pub session: String,
    pub quantile: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(crate) struct RouteMethodStatus {
    pub route: String,
    pub method: &'static str,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(crate) struct RouteMethod {
    pub route: String,
    pub method: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(crate) struct Reason {
    pub reason: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(crate) struct ModeState {
    pub mode: String,
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(crate) struct State {
    pub state: String,
}

pub(crate) fn side(side: Side) -> &'static str {
    match side {
        Side::Buy => "buy",
        Side::Sell => "sell",
    }
}

pub(crate) fn stream(stream: Stream) -> &'static str {
    match stream {
        Stream::MarketData => "market_data",
        Stream::UserData => "user_data",
    }
}

/// HTTP methods are a closed set; anything a client invents is `OTHER`, so
/// a scanner sending random verbs cannot grow the series.
pub(crate) fn method(method: &str) -> &'static str {
    const KNOWN: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
    KNOWN
        .into_iter()
        .find(|m| m.eq_ignore_ascii_case(method))
        .unwrap_or("OTHER")
}

/// The rejection code of an order the engine or the venue refused, from
/// its message. The message itself is free text (a venue's words, an
/// amount) and would make one series per distinct order; the code is one
/// of `insufficient_balance`, `filter` (lot, tick, minimum quantity or
/// notional, precision) or `venue` (anything else). Risk refusals are
/// counted as `risk` where the risk gate's decision arrives.
pub(crate) fn rejection(message: &str) -> &'static str {
    let m = message.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| m.contains(w));
    if has(&["insufficient", "cannot sell", "-2010"]) {
        "insufficient_balance"
    } else if has(&[
        "filter",
        "lot size",
        "lot_size",
        "rounds to zero",
        "below the minimum",
        "min_notional",
        "notional",
        "precision",
        "tick",
        "not positive",
    ]) {
        "filter"
    } else {
        "venue"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejection_messages_map_to_bounded_codes() {
        let cases = [
            (
                "insufficient cash: the fill costs 10 with fees, the account has 5",
                "insufficient_balance",
            ),
            (
                "a spot account cannot sell 2: it holds 1",
                "insufficient_balance",
            ),
            (
                "Account has insufficient balance for requested action.",
                "insufficient_balance",
            ),
            ("Filter failure: LOT_SIZE", "filter"),
            ("notional 3 is below the minimum 5", "filter"),
            ("quantity 0.0001 rounds to zero at lot size 0.001", "filter"),
            ("connection reset by peer", "venue"),
            ("", "venue"),
        ];
        for (message, code) in cases {
            assert_eq!(rejection(message), code, "{message}");
        }
    }

    #[test]
    fn methods_are_a_closed_set() {
        assert_eq!(method("get"), "GET");
        assert_eq!(method("DELETE"), "DELETE");
        assert_eq!(method("BREW"), "OTHER");
    }
}
