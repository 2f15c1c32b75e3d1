//! The multi-timeframe view a strategy reads: per timeframe the trend and
//! bias, the price's premium/discount position, the active zones and the
//! nearest opposing liquidity, and whether a lower-timeframe zone lies
//! inside a higher-timeframe one.

use crate::analyzer::PriceZone;
use crate::event::Scope;
use crate::mtf::MultiTimeframe;
use crate::zones::Zone;
use smc_model::Timeframe;

/// One timeframe as of its last closed candle.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameView {
    pub timeframe: Timeframe,
    /// Swing-scope trend: 1 up, -1 down, 0 unknown.
    pub trend: i8,
    /// Internal-scope trend.
    pub internal_trend: i8,
    /// Position of the current price in the premium/discount range (0 at
    /// the swing low, 1 at the swing high), if a range exists.
    pub range_position: Option<f64>,
    /// The same as discount / equilibrium / premium.
    pub price_zone: Option<PriceZone>,
    /// The nearest liquidity pool above the price (buy-side) and below it.
    pub liquidity_above: Option<f64>,
    pub liquidity_below: Option<f64>,
    pub active_blocks: Vec<Zone>,
    pub active_gaps: Vec<Zone>,
}

impl FrameView {
    /// 1 bullish when the trend is up and price is at a discount, -1 bearish
    /// when down and at a premium, 0 otherwise.
    pub fn bias(&self) -> i8 {
        match (self.trend, self.range_position) {
            (1, Some(p)) if p < 0.5 => 1,
            (-1, Some(p)) if p > 0.5 => -1,
            _ => 0,
        }
    }
}

/// All requested timeframes, lowest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Confluence {
    pub price: Option<f64>,
    pub frames: Vec<FrameView>,
}

impl Confluence {
    pub fn frame(&self, tf: Timeframe) -> Option<&FrameView> {
        self.frames.iter().find(|f| f.timeframe == tf)
    }

    /// Whether `zone` overlaps an active block or gap of `higher` with the
    /// same direction (a lower-timeframe entry inside a higher-timeframe area).
    pub fn inside_higher_zone(&self, zone: &Zone, higher: Timeframe) -> bool {
        self.frame(higher).is_some_and(|f| {
            f.active_blocks.iter().chain(&f.active_gaps).any(|h| {
                h.direction == zone.direction && zone.bottom <= h.top && zone.top >= h.bottom
            })
        })
    }
}

impl MultiTimeframe {
    /// The confluence view as of the newest closed candle of each timeframe.
    pub fn confluence(&self) -> Confluence {
        let price = self.last_price();
        let frames = self
            .analyzers()
            .map(|a| {
                let pools = a.pools();
                let above = price.and_then(|p| {
                    pools
                        .iter()
                        .filter(|x| x.level > p)
                        .map(|x| x.level)
                        .reduce(f64::min)
                });
                let below = price.and_then(|p| {
                    pools
                        .iter()
                        .filter(|x| x.level < p)
                        .map(|x| x.level)
                        .reduce(f64::max)
                });
                FrameView {
                    timeframe: a.timeframe(),
                    trend: a.trend(Scope::Swing),
                    internal_trend: a.trend(Scope::Internal),
                    range_position: a.range().zip(price).map(|(r, p)| r.position(p)),
                    price_zone: a.range().zip(price).map(|(r, p)| r.zone(p)),
                    liquidity_above: above,
                    liquidity_below: below,
                    active_blocks: a.blocks(),
                    active_gaps: a.gaps(),
                }
            })
            .collect();
        Confluence { price, frames }
    }
}
