//! One symbol's book, replayed fill by fill: the position at its average
//! cost, what the fills realized, the round trips they closed, and the
//! book's trading value at the last known price. The value is kept as a
//! cash flow (what the fills paid and received) plus the position at the
//! mark, which needs no division and is exact; unrealized P&L is that
//! value less what was realized, so realized + unrealized − fees − funding
//! is the equity change to the last digit.

use rust_decimal::Decimal;
use smc_model::{Fill, Side};

/// Decimal places kept of what a division yields (realized P&L at an
/// average cost, a reversing fill's shared fee): far below any currency's
/// unit, far enough from `Decimal`'s 28 digits that sums stay exact.
pub const DP: u32 = 12;

/// A round trip: from a flat book to flat again (or through zero, when a
/// fill reverses the position).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedTrip {
    pub symbol: String,
    /// The fill that closed it, epoch ms.
    pub closed_at: i64,
    /// Realized by its closing fills less the fees of all its fills.
    pub net: Decimal,
}

/// One symbol's state after the events replayed so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Book {
    /// Signed: negative is short.
    pub qty: Decimal,
    pub avg: Decimal,
    /// Received less paid by every fill (before fees).
    pub cash_flow: Decimal,
    pub realized: Decimal,
    pub fees: Decimal,
    pub funding: Decimal,
    /// The last price known: a candle's close or a fill's price.
    pub mark: Option<Decimal>,
    /// Of the round trip in progress.
    trip_realized: Decimal,
    trip_fees: Decimal,
}

impl Book {
    /// Applies `fill`; the round trip it closed, if any.
    pub fn fill(&mut self, fill: &Fill) -> Option<ClosedTrip> {
        let signed = match fill.side {
            Side::Buy => fill.qty,
            Side::Sell => -fill.qty,
        };
        self.cash_flow -= signed * fill.price;
        self.fees += fill.fee;
        self.mark = Some(fill.price);
        let was = self.qty;
        if was.is_zero() || was.is_sign_positive() == signed.is_sign_positive() {
            let size = was.abs() + fill.qty;
            if !size.is_zero() {
                self.avg = (was.abs() * self.avg + fill.qty * fill.price) / size;
            }
            self.qty += signed;
            self.trip_fees += fill.fee;
            return None;
        }
        // Reducing, closing or reversing.
        let closed = fill.qty.min(was.abs());
        let direction = if was.is_sign_positive() {
            Decimal::ONE
        } else {
            -Decimal::ONE
        };
        // An average cost can have endless decimals: rounded once here, so
        // every sum of realized P&L after this is exact.
        let realized = (closed * (fill.price - self.avg) * direction).round_dp(DP);
        self.realized += realized;
        self.trip_realized += realized;
        // A reversing fill's fee is shared by quantity between the trip it
        // closes and the one it opens.
        let closing_fee = if fill.qty.is_zero() {
            fill.fee
        } else {
            (fill.fee * closed / fill.qty).round_dp(DP)
        };
        self.trip_fees += closing_fee;
        self.qty += signed;
        if !self.qty.is_zero() && self.qty.is_sign_positive() == was.is_sign_positive() {
            return None; // reduced only
        }
        let trip = ClosedTrip {
            symbol: fill.instrument.symbol().to_string(),
            closed_at: fill.time.ms(),
            net: self.trip_realized - self.trip_fees,
        };
        self.trip_realized = Decimal::ZERO;
        self.trip_fees = fill.fee - closing_fee;
        self.avg = if self.qty.is_zero() {
            Decimal::ZERO
        } else {
            fill.price
        };
        Some(trip)
    }

    /// The position at the mark plus the fills' cash flow, before fees
    /// and funding.
    pub fn value(&self) -> Decimal {
        self.cash_flow + self.qty * self.mark.unwrap_or(self.avg)
    }

    /// What the open position would realize at the mark.
    pub fn unrealized(&self) -> Decimal {
        self.value() - self.realized
    }

    /// Gross notional of the position at the mark.
    pub fn notional(&self) -> Decimal {
        (self.qty * self.mark.unwrap_or(self.avg)).abs()
    }

    /// What the book adds to the account's equity.
    pub fn equity_part(&self) -> Decimal {
        self.value() - self.fees - self.funding
    }
}

/// A fill of BTCUSDT at `time`, for tests.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(super) fn test_fill(side: Side, price: Decimal, qty: Decimal, fee: Decimal, time: i64) -> Fill {
    use smc_model::{ClientOrderId, FeeSource, InstrumentId, Liquidity, Timestamp};
    Fill {
        client_id: ClientOrderId::from_decision("t", Timestamp::from_ms(time), 0),
        instrument: InstrumentId::new("binance", "BTCUSDT").unwrap(),
        trade_id: format!("t{time}"),
        side,
        price,
        qty,
        fee,
        fee_source: FeeSource::default(),
        liquidity: Liquidity::Taker,
        time: Timestamp::from_ms(time),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::test_fill as fill;
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn a_long_trip_realizes_the_price_change_and_counts_all_its_fees() {
        let mut b = Book::default();
        assert!(
            b.fill(&fill(Side::Buy, dec!(100), dec!(2), dec!(0.2), 1))
                .is_none()
        );
        assert!(
            b.fill(&fill(Side::Buy, dec!(110), dec!(2), dec!(0.2), 2))
                .is_none()
        );
        assert_eq!(b.avg, dec!(105));
        b.mark = Some(dec!(108));
        assert_eq!(b.unrealized(), dec!(12));
        assert!(
            b.fill(&fill(Side::Sell, dec!(120), dec!(1), dec!(0.1), 3))
                .is_none()
        );
        assert_eq!(b.realized, dec!(15));
        let trip = b
            .fill(&fill(Side::Sell, dec!(90), dec!(3), dec!(0.3), 4))
            .unwrap();
        // 15 + 3 × (90 − 105) = −30; fees 0.8.
        assert_eq!(trip.net, dec!(-30.8));
        assert_eq!(b.qty, Decimal::ZERO);
        assert_eq!(b.unrealized(), Decimal::ZERO);
        assert_eq!(b.equity_part(), dec!(-30.8));
    }

    #[test]
    fn a_reversal_closes_one_trip_and_opens_the_next_sharing_the_fee() {
        let mut b = Book::default();
        b.fill(&fill(Side::Sell, dec!(50), dec!(1), dec!(0.1), 1));
        let trip = b
            .fill(&fill(Side::Buy, dec!(40), dec!(3), dec!(0.3), 2))
            .unwrap();
        assert_eq!(trip.net, dec!(10) - dec!(0.1) - dec!(0.1));
        assert_eq!(b.qty, dec!(2));
        assert_eq!(b.avg, dec!(40));
        let trip = b
            .fill(&fill(Side::Sell, dec!(45), dec!(2), dec!(0), 3))
            .unwrap();
        assert_eq!(trip.net, dec!(10) - dec!(0.2));
        assert_eq!(b.equity_part(), dec!(20) - dec!(0.4));
    }
}
