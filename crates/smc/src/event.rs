//! Detection events. Every SMC object (a swing, a break, an order block, a
//! gap, a liquidity pool) has a lifecycle of events instead of a row that is
//! rewritten later; each event carries when it became knowable.

use serde::Serialize;
use smc_model::Timeframe;

/// What kind of object an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    SwingHigh,
    SwingLow,
    Bos,
    Choch,
    Ob,
    BreakerBlock,
    Fvg,
    InverseFvg,
    /// A pool of equal highs (direction 1) or equal lows (direction -1).
    Liquidity,
    /// Price ran a liquidity level and closed back (a stop hunt).
    Sweep,
    /// The premium/discount range between the last swing high and low.
    PremiumDiscount,
    /// A closed period's high (the previous day's, week's), once known.
    PreviousHigh,
    /// A closed period's low.
    PreviousLow,
}

/// What happened to the object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    Formed,
    Mitigated,
    Broken,
    Swept,
    Invalidated,
    /// Dropped unresolved because too many zones of its kind were active.
    Expired,
}

/// Structure scope: internal (short swings) or swing (long swings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Internal,
    Swing,
}

impl Kind {
    /// The serialized name (`swing_high`, `bos`, `inverse_fvg`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::SwingHigh => "swing_high",
            Kind::SwingLow => "swing_low",
            Kind::Bos => "bos",
            Kind::Choch => "choch",
            Kind::Ob => "ob",
            Kind::BreakerBlock => "breaker_block",
            Kind::Fvg => "fvg",
            Kind::InverseFvg => "inverse_fvg",
            Kind::Liquidity => "liquidity",
            Kind::Sweep => "sweep",
            Kind::PremiumDiscount => "premium_discount",
            Kind::PreviousHigh => "previous_high",
            Kind::PreviousLow => "previous_low",
        }
    }
}

impl Lifecycle {
    /// The serialized name (`formed`, `mitigated`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Formed => "formed",
            Lifecycle::Mitigated => "mitigated",
            Lifecycle::Broken => "broken",
            Lifecycle::Swept => "swept",
            Lifecycle::Invalidated => "invalidated",
            Lifecycle::Expired => "expired",
        }
    }
}

impl Scope {
    /// The serialized name (`internal`, `swing`).
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Internal => "internal",
            Scope::Swing => "swing",
        }
    }
}

/// One detection event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmcEvent {
    pub timeframe: Timeframe,
    pub kind: Kind,
    pub event: Lifecycle,
    /// 1 bullish / high side, -1 bearish / low side.
    pub direction: i8,
    /// Open time (epoch ms) of the candle the event refers to: the swing
    /// candle, the breaking candle, the middle candle of a gap, …
    pub time: i64,
    /// When the event became knowable: the close of the last candle it uses.
    pub known_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bottom: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<f64>,
    /// Identifies the object across its lifecycle events (unique per
    /// timeframe and kind within one run).
    pub id: u64,
    /// Open time of the candle the object originates from, when it differs
    /// from `time` (e.g. the swing a break crosses, the candle of an order
    /// block that a mitigation refers to).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
}

impl SmcEvent {
    /// An event with no prices or extra times yet; the builder methods add them.
    pub fn new(
        timeframe: Timeframe,
        kind: Kind,
        event: Lifecycle,
        direction: i8,
        time: i64,
        known_at: i64,
    ) -> Self {
        SmcEvent {
            timeframe,
            kind,
            event,
            direction,
            time,
            known_at,
            top: None,
            bottom: None,
            level: None,
            id: 0,
            origin_time: None,
            scope: None,
        }
    }

    pub fn zone(mut self, top: f64, bottom: f64) -> Self {
        (self.top, self.bottom) = (Some(top), Some(bottom));
        self
    }

    pub fn level(mut self, level: f64) -> Self {
        self.level = Some(level);
        self
    }

    pub fn id(mut self, id: u64) -> Self {
        self.id = id;
        self
    }

    pub fn origin(mut self, time: i64) -> Self {
        self.origin_time = Some(time);
        self
    }

    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = Some(scope);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(v: impl Serialize) -> String {
        serde_json::to_string(&v).unwrap_or_default()
    }

    #[test]
    fn names_match_the_serialized_spelling() {
        let kinds = [
            Kind::SwingHigh,
            Kind::SwingLow,
            Kind::Bos,
            Kind::Choch,
            Kind::Ob,
            Kind::BreakerBlock,
            Kind::Fvg,
            Kind::InverseFvg,
            Kind::Liquidity,
            Kind::Sweep,
            Kind::PremiumDiscount,
            Kind::PreviousHigh,
            Kind::PreviousLow,
        ];
        for k in kinds {
            assert_eq!(json(k), format!("\"{}\"", k.as_str()));
        }
        let events = [
            Lifecycle::Formed,
            Lifecycle::Mitigated,
            Lifecycle::Broken,
            Lifecycle::Swept,
            Lifecycle::Invalidated,
            Lifecycle::Expired,
        ];
        for e in events {
            assert_eq!(json(e), format!("\"{}\"", e.as_str()));
        }
        for s in [Scope::Internal, Scope::Swing] {
            assert_eq!(json(s), format!("\"{}\"", s.as_str()));
        }
    }
}
