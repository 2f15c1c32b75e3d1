//! The stitched out-of-sample result: the test windows' runs chained into
//! one account, as if the walk-forward procedure had traded live. Each
//! window's run starts with fresh cash, so it is rescaled to start where
//! the previous one ended (compounding); its trades' money amounts are
//! rescaled by the same factor so that trade statistics stay consistent.

use crate::backtester::RunResult;
use rust_decimal::Decimal;
use smc_model::Timestamp;

/// Decimal places kept after rescaling: far below a cent, and keeps the
/// repeated products from growing to 28 digits.
const DP: u32 = 10;

/// Chains `parts` (in time order) into one curve and one trade list.
pub fn stitch(parts: &[RunResult]) -> RunResult {
    let mut out = RunResult::default();
    for part in parts {
        let Some(&(_, first)) = part.equity.first() else {
            continue;
        };
        let factor = match out.equity.last() {
            Some(&(_, last)) if first > Decimal::ZERO => last / first,
            _ => Decimal::ONE,
        };
        // The first point of a later part is its base (its start equity),
        // already represented by the previous part's last point.
        let skip = usize::from(!out.equity.is_empty());
        let last_time = out.equity.last().map_or(i64::MIN, |p| p.0.ms());
        out.equity.extend(
            part.equity
                .iter()
                .skip(skip)
                .filter(|(t, _)| *t > Timestamp::from_ms(last_time))
                .map(|&(t, e)| (t, (e * factor).round_dp(DP))),
        );
        out.trades.extend(part.trades.iter().map(|t| {
            let mut t = t.clone();
            t.pnl = (t.pnl * factor).round_dp(DP);
            t.fees = (t.fees * factor).round_dp(DP);
            t.size = (t.size * factor).round_dp(DP);
            t
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use smc_model::InstrumentIndex;
    use smc_model::{RoundTrip, TradeSide};

    fn trade(pnl: Decimal) -> RoundTrip {
        RoundTrip {
            instrument: InstrumentIndex::new(0),
            entry_time: Timestamp::from_ms(0),
            exit_time: Some(Timestamp::from_ms(1)),
            entry_price: dec!(1),
            exit_price: Some(dec!(1)),
            size: dec!(10),
            side: TradeSide::Long,
            pnl,
            fees: dec!(1),
            setup: smc_model::Setup::from_label("x"),
        }
    }

    #[test]
    fn parts_compound() {
        let a = RunResult {
            equity: vec![
                (Timestamp::from_ms(1), dec!(100)),
                (Timestamp::from_ms(2), dec!(110)),
                (Timestamp::from_ms(3), dec!(120)),
            ],
            trades: vec![trade(dec!(20))],
        };
        // Fresh cash 100 again, base point at time 3.
        let b = RunResult {
            equity: vec![
                (Timestamp::from_ms(3), dec!(100)),
                (Timestamp::from_ms(4), dec!(90)),
                (Timestamp::from_ms(5), dec!(150)),
            ],
            trades: vec![trade(dec!(50))],
        };
        let s = stitch(&[a, b]);
        assert_eq!(
            s.equity,
            vec![
                (Timestamp::from_ms(1), dec!(100)),
                (Timestamp::from_ms(2), dec!(110)),
                (Timestamp::from_ms(3), dec!(120)),
                (Timestamp::from_ms(4), dec!(108)),
                (Timestamp::from_ms(5), dec!(180))
            ]
        );
        assert_eq!(s.trades[1].pnl, dec!(60));
        assert_eq!(s.trades[1].fees, dec!(1.2));
        assert_eq!(s.trades[0].pnl, dec!(20));
    }

    #[test]
    fn empty_parts_are_skipped() {
        let a = RunResult {
            equity: vec![(Timestamp::from_ms(1), dec!(5))],
            trades: vec![],
        };
        let s = stitch(&[RunResult::default(), a.clone(), RunResult::default()]);
        assert_eq!(s, a);
    }
}
