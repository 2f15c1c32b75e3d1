//! `liquidity` (reference spec §6): pools of swing highs (or lows) within a
//! band of each other, with the row where price swept the pool. The band is
//! a fraction of the whole series' range — global, hence lookahead — and all
//! four columns are float32, as in the reference.

use crate::first_cross::Crossings;
use crate::frame::{Frame, Values};
use crate::input::Ohlc;
use crate::swings::Swings;

pub fn liquidity(input: &Ohlc, swings: &Swings, range_percent: f64) -> Frame {
    let n = input.len();
    let highs = Crossings::new(&input.high, false);
    let lows = Crossings::new(&input.low, true);
    let band = (highs.extreme() - lows.extreme()) * range_percent;
    let mut out = Columns {
        liquidity: vec![f32::NAN; n],
        level: vec![f32::NAN; n],
        end: vec![f32::NAN; n],
        swept: vec![f32::NAN; n],
    };
    let (mut high_rows, mut low_rows) = (Vec::new(), Vec::new());
    for (row, kind) in swings.points() {
        if kind == 1 {
            high_rows.push(row);
        } else {
            low_rows.push(row);
        }
    }
    for (dir, rows, crossings) in [(1i8, high_rows, &highs), (-1, low_rows, &lows)] {
        let sweeps = sweep_rows(crossings, swings, &rows, dir, band);
        pools(swings, &rows, &sweeps, dir, band, &mut out);
    }
    Frame::default()
        .with("Liquidity", Values::F32(out.liquidity))
        .with("Level", Values::F32(out.level))
        .with("End", Values::F32(out.end))
        .with("Swept", Values::F32(out.swept))
}

struct Columns {
    liquidity: Vec<f32>,
    level: Vec<f32>,
    end: Vec<f32>,
    swept: Vec<f32>,
}

/// §6.2: for each swing i, the first j > i whose high reaches `level + band`
/// (lows: `low <= level - band`); 0 if none.
fn sweep_rows(
    crossings: &Crossings,
    swings: &Swings,
    rows: &[usize],
    dir: i8,
    band: f64,
) -> Vec<usize> {
    rows.iter()
        .map(|&i| {
            let threshold = if dir == 1 {
                swings.level[i] + band
            } else {
                swings.level[i] - band
            };
            crossings.first(i + 1, threshold, false).unwrap_or(0)
        })
        .collect()
}

/// §6.2–6.3: groups of unconsumed swings within the band, scanned up to the
/// sweep; a group of two or more is a pool on its first swing's row.
///
/// Every swing before the sweep is automatically on the near side of the far
/// edge (otherwise it would itself be the sweep), so membership reduces to
/// one bound: `level_j >= level_i - band` for highs (`<= level_i + band` for
/// lows). Swings are scanned in blocks whose best unconsumed level is kept,
/// so blocks with no member are skipped whole.
fn pools(swings: &Swings, rows: &[usize], sweeps: &[usize], dir: i8, band: f64, out: &mut Columns) {
    // Levels oriented so that "member" always means `oriented >= bound`.
    let sign = f64::from(dir);
    let mut oriented: Vec<f64> = rows.iter().map(|&r| sign * swings.level[r]).collect();
    let mut best: Vec<f64> = oriented.chunks(BLOCK).map(block_best).collect();
    for a in 0..rows.len() {
        if oriented[a] == f64::NEG_INFINITY {
            continue; // consumed
        }
        let i = rows[a];
        let level = swings.level[i];
        let bound = sign * level - band;
        let swept = sweeps[a];
        let stop = if swept == 0 {
            rows.len()
        } else {
            rows.partition_point(|&r| r < swept)
        };
        oriented[a] = f64::NEG_INFINITY;
        let (mut sum, mut count, mut end) = (level, 1usize, i);
        let mut b = a + 1;
        while b < stop {
            if b.is_multiple_of(BLOCK) && (best[b / BLOCK] < bound || bound.is_nan()) {
                b += BLOCK;
                continue;
            }
            if oriented[b] >= bound {
                oriented[b] = f64::NEG_INFINITY;
                sum += swings.level[rows[b]];
                count += 1;
                end = rows[b];
                let block = b / BLOCK;
                best[block] =
                    block_best(&oriented[block * BLOCK..((block + 1) * BLOCK).min(rows.len())]);
            }
            b += 1;
        }
        if count >= 2 {
            out.liquidity[i] = f32::from(dir);
            out.level[i] = (sum / count as f64) as f32;
            out.end[i] = end as f32;
            out.swept[i] = swept as f32;
        }
    }
}

const BLOCK: usize = 32;

fn block_best(levels: &[f64]) -> f64 {
    levels
        .iter()
        .fold(f64::NEG_INFINITY, |m, &x| if x > m { x } else { m })
}
