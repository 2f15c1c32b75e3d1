//! Monthly partitions of the candle log and the engine events, created
//! before the first write into a month (and the month after it, so that a
//! step crossing midnight at a month's end finds its partition ready).
//! Creating them outside the step's transaction keeps DDL locks out of the
//! journal's hot path: once a month exists, a step only checks a set.

use super::PgJournal;
use crate::error::StoreError;
use smc_model::time::{civil_from_days, epoch_ms};

/// Months since year 0 (year * 12 + month - 1) of epoch ms `t`.
fn month_of(t: i64) -> i64 {
    let (y, m, _) = civil_from_days(t.div_euclid(86_400_000));
    y * 12 + i64::from(m) - 1
}

/// The first epoch ms of month index `month`.
fn start_of(month: i64) -> i64 {
    let (y, m) = (month.div_euclid(12), month.rem_euclid(12));
    // m is 0..12, so the cast cannot truncate.
    epoch_ms(y, u32::try_from(m + 1).unwrap_or(1), 1, 0, 0, 0)
}

impl PgJournal {
    /// Makes sure `table` has partitions for the months of `times` and
    /// the month after each.
    pub(crate) fn ensure_partitions(
        &self,
        table: &'static str,
        times: impl IntoIterator<Item = i64>,
    ) -> Result<(), StoreError> {
        let mut months = self
            .months
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for t in times {
            for month in [month_of(t), month_of(t) + 1] {
                if months.contains(&(table, month)) {
                    continue;
                }
                let (y, m) = (month.div_euclid(12), month.rem_euclid(12) + 1);
                let sql = format!(
                    "CREATE TABLE IF NOT EXISTS {table}_y{y:04}m{m:02} PARTITION OF {table} \
                     FOR VALUES FROM ({}) TO ({})",
                    start_of(month),
                    start_of(month + 1)
                );
                match self.client().batch_execute(&sql) {
                    Ok(()) => {}
                    // Two processes creating one month at once: the loser's
                    // error means the partition exists.
                    Err(e) if e.code() == Some(&postgres::error::SqlState::DUPLICATE_TABLE) => {}
                    Err(e) => return Err(StoreError::pg("creating a partition")(e)),
                }
                months.insert((table, month));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_start_where_the_calendar_says() {
        let jan_2024 = epoch_ms(2024, 1, 1, 0, 0, 0);
        assert_eq!(month_of(jan_2024), 2024 * 12);
        assert_eq!(month_of(jan_2024 - 1), 2024 * 12 - 1);
        assert_eq!(start_of(2024 * 12), jan_2024);
        assert_eq!(start_of(2024 * 12 + 1), epoch_ms(2024, 2, 1, 0, 0, 0));
    }
}
