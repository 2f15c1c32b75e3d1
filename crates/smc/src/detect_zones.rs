//! Where new zones come from: a fair value gap from three candles, an order
//! block from a structure break.

use crate::event::{Kind, Scope};
use crate::history::History;
use crate::swing::Swing;
use crate::zones::Zone;

/// A fair value gap completed by the newest bar: the first candle's high
/// below the third's low (bullish, zone = [high₁, low₃]) or its low above the
/// third's high (bearish, zone = [high₃, low₁]), at least `min_size` tall.
/// Its `time` is the middle candle's; it is known at the third's close.
pub fn fair_value_gap(history: &History, min_size: f64) -> Option<Zone> {
    let (third, middle, first) = (history.back(0)?, history.back(1)?, history.back(2)?);
    let (direction, top, bottom) = if third.low > first.high {
        (1, third.low, first.high)
    } else if third.high < first.low {
        (-1, first.low, third.high)
    } else {
        return None;
    };
    (top - bottom >= min_size).then_some(Zone {
        id: 0,
        kind: Kind::Fvg,
        direction,
        top,
        bottom,
        time: middle.open_time,
        formed_at: third.close_time,
        mitigated: false,
        scope: None,
    })
}

/// The order block of a break of `swing` by the newest bar: among the bars
/// from the swing to the one before the break, the one with the lowest low
/// for a bullish break (the last selling before the move up), the highest
/// high for a bearish one, the latest on ties; its whole range is the zone.
/// Bars older than the history are not considered.
pub fn order_block(history: &History, swing: &Swing, scope: Scope) -> Option<Zone> {
    let last = history.last_index()?;
    let breaking = history.get(last)?;
    let from = swing.index;
    let to = last.checked_sub(1)?;
    let mut best: Option<&crate::bar::Bar> = None;
    for (_, bar) in history.range(from, to) {
        let better = match best {
            None => true,
            Some(b) if swing.direction == 1 => bar.low <= b.low,
            Some(b) => bar.high >= b.high,
        };
        if better && bar.low.is_finite() && bar.high.is_finite() {
            best = Some(bar);
        }
    }
    let candle = best?;
    Some(Zone {
        id: 0,
        kind: Kind::Ob,
        direction: swing.direction,
        top: candle.high,
        bottom: candle.low,
        time: candle.open_time,
        formed_at: breaking.close_time,
        mitigated: false,
        scope: Some(scope),
    })
}
