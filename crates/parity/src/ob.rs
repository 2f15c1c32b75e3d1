//! `ob` (reference spec §5): order blocks. Two passes over the candles,
//! bullish then bearish, writing into shared per-row arrays, reproduced
//! because their interactions are part of the output: the bullish
//! mitigation index is `t-1` where the bearish one is `t`, the bullish
//! fallback swaps top and bottom, a mitigated block ("breaker") is erased
//! from history once price trades back through its far side, and the
//! breaker flag and mitigation index of a row survive into the other pass.
//!
//! The reference re-tests every active block on every candle (§12). Here
//! each block's life is three questions asked once, when it is created:
//! where its swing breaks (a scan of the candles up to the next swing of
//! that side, which only that swing can break in), where the block is then
//! first mitigated, and where the breaker is then first traded through (two
//! first-crossing queries, O(log distance) each). That is exact because the
//! blocks of one pass never interact: each has its own row (a breakout's
//! row lies in `[s, t)` and the next swing that can break is at or after
//! `t`), and nothing one block does moves another's thresholds. The blocks
//! live in a short list per pass (rows ascending), the bearish pass reads
//! the bullish block of its row by a merge, and only the blocks alive at the
//! end touch the output columns. O(n + k log n) for k blocks.

use crate::first_cross::{Cross, FirstCross};
use crate::frame::{Frame, Values};
use crate::input::Ohlc;
use crate::swings::Swings;

pub fn ob(input: &Ohlc, swings: &Swings, close_mitigation: bool) -> Frame {
    let input = &*crate::align::candles(input);
    let swings = &*crate::align::swings(swings, input.len());
    let [highs, lows] = swings.rows_by_kind();
    // A bullish block is mitigated by a probe below its bottom and erased by
    // a high above its top; a bearish one the mirror image. Without
    // close_mitigation the probes are the lows and highs themselves.
    let above = FirstCross::new(&input.high, Cross::Above);
    let below = FirstCross::new(&input.low, Cross::Below);
    let probes = close_mitigation.then(|| {
        let (o, c) = (&input.open, &input.close);
        let lower: Vec<f64> = o.iter().zip(c).map(|(&o, &c)| py_min(o, c)).collect();
        let upper: Vec<f64> = o.iter().zip(c).map(|(&o, &c)| py_max(o, c)).collect();
        (lower, upper)
    });
    let probe_index = probes.as_ref().map(|(lower, upper)| {
        (
            FirstCross::new(lower, Cross::Below),
            FirstCross::new(upper, Cross::Above),
        )
    });
    let (mitigate_bull, mitigate_bear) = match &probe_index {
        Some((lower, upper)) => (lower, upper),
        None => (&below, &above),
    };
    let bull = Side {
        dir: 1,
        mitigate: mitigate_bull,
        erase: &above,
    };
    let bear = Side {
        dir: -1,
        mitigate: mitigate_bear,
        erase: &below,
    };
    let bullish = pass(input, &highs, &bull, &[]);
    let bearish = pass(input, &lows, &bear, &bullish);
    output(input, &bullish, &bearish)
}

/// A pass's direction and the two questions a block of it asks: the first
/// later candle that mitigates it, and the first that erases it as a
/// breaker.
struct Side<'a> {
    dir: i8,
    mitigate: &'a FirstCross<'a>,
    erase: &'a FirstCross<'a>,
}

impl Side<'_> {
    fn bull(&self) -> bool {
        self.dir == 1
    }
}

/// One block and what became of it by the end of its pass: its row's
/// breaker flag and mitigation index as the reference's shared arrays hold
/// them then (an erased block's index is 0, its flag stays set).
#[derive(Debug, Clone, Copy)]
struct Block {
    row: usize,
    /// The breakout candle, which the volumes are read around.
    t: usize,
    top: f32,
    bottom: f32,
    breaker: bool,
    mitigated: f64,
    erased: bool,
}

/// One pass (§5, bullish or bearish). Swing `s` is the most recent swing
/// of its side for the candles `s+1 ..= s'` (the next one's row), and only
/// there can it break. `before` holds the other pass's blocks (rows
/// ascending), whose flag and index a block on the same row inherits.
fn pass(input: &Ohlc, swing_rows: &[usize], side: &Side, before: &[Block]) -> Vec<Block> {
    let (h, l, n) = (&input.high, &input.low, input.len());
    let mut blocks = Vec::with_capacity(swing_rows.len());
    let mut earlier = before.iter().peekable();
    for (k, &s) in swing_rows.iter().enumerate() {
        let last = swing_rows.get(k + 1).map_or(n, |&next| next + 1).min(n);
        let Some(t) = first_break(&input.close, s + 1, last, s, h, l, side.bull()) else {
            continue;
        };
        let (row, top, bottom) = block_candle(h, l, s, t, side);
        // Rows ascend in both passes, so one forward cursor finds the row.
        while earlier.next_if(|b| b.row < row).is_some() {}
        let inherited = earlier
            .next_if(|b| b.row == row)
            .map_or((false, 0.0), |b| (b.breaker, b.mitigated));
        blocks.push(settle(row, t, top as f32, bottom as f32, inherited, side));
    }
    blocks
}

/// §5.2: the first candle in `from..to` whose close breaks the swing at
/// `s` (bullish `C > H[s]`, bearish `C < L[s]`; never on NaN).
fn first_break(
    close: &[f64],
    from: usize,
    to: usize,
    s: usize,
    h: &[f64],
    l: &[f64],
    bull: bool,
) -> Option<usize> {
    let closes = close.get(from..to)?;
    let k = if bull {
        let level = h[s];
        closes.iter().position(|&c| c > level)
    } else {
        let level = l[s];
        closes.iter().position(|&c| c < level)
    };
    k.map(|k| from + k)
}

/// §5.1 for one block born on candle `t`, in one go: it is first tested on
/// `t+1`; mitigation makes it a breaker (unless it was born one, from the
/// other pass), and a breaker is erased by the first candle after that
/// trades through its far side (a candle changes a block's state once).
/// The edges are the float32 values the reference stores; a NaN edge never
/// fires.
fn settle(
    row: usize,
    t: usize,
    top: f32,
    bottom: f32,
    (breaker, mitigated): (bool, f64),
    side: &Side,
) -> Block {
    let mut block = Block {
        row,
        t,
        top,
        bottom,
        breaker,
        mitigated,
        erased: false,
    };
    let (top, bottom) = (f64::from(top), f64::from(bottom));
    let mut from = t + 1;
    if !block.breaker {
        // Bullish `probe < bottom`, bearish `probe > top`.
        let edge = if side.bull() { bottom } else { top };
        let Some(m) = side.mitigate.first(from, edge) else {
            return block;
        };
        block.breaker = true;
        // The bullish index is one row early (a bug kept for parity).
        block.mitigated = if side.bull() {
            m as f64 - 1.0
        } else {
            m as f64
        };
        from = m + 1;
    }
    // Bullish `H > top`, bearish `L < bottom`.
    let edge = if side.bull() { top } else { bottom };
    if side.erase.first(from, edge).is_some() {
        block.erased = true;
        block.mitigated = 0.0;
    }
    block
}

/// Python's `min(a, b)` / `max(a, b)`: `a` unless `b` beats it, so a NaN
/// `a` wins and a NaN `b` loses.
fn py_min<T: PartialOrd>(a: T, b: T) -> T {
    if b < a { b } else { a }
}

fn py_max<T: PartialOrd>(a: T, b: T) -> T {
    if b > a { b } else { a }
}

/// §5.4: the block's candle and its zone. Between the swing and the break,
/// the lowest low (bullish) or highest high (bearish), latest on ties; with
/// no candle between them, the candle before the break, with top and bottom
/// swapped on the bullish side (a bug kept for parity). A NaN between them
/// also selects the fallback, as the reference's `min()` returns NaN there.
fn block_candle(h: &[f64], l: &[f64], s: usize, t: usize, side: &Side) -> (usize, f64, f64) {
    let fallback = t - 1;
    let prices = if side.bull() {
        &l[s + 1..t]
    } else {
        &h[s + 1..t]
    };
    if prices.is_empty() || prices.iter().any(|p| p.is_nan()) {
        return if side.bull() {
            (fallback, l[fallback], h[fallback])
        } else {
            (fallback, h[fallback], l[fallback])
        };
    }
    let mut best = 0;
    for (k, &p) in prices.iter().enumerate() {
        let better = if side.bull() {
            p <= prices[best]
        } else {
            p >= prices[best]
        };
        if better {
            best = k;
        }
    }
    let row = s + 1 + best;
    (row, h[row], l[row])
}

/// The output columns: NaN except the blocks alive at the end. A bearish
/// block overwrote whatever its row held, so its row shows it, or nothing
/// once it is erased.
fn output(input: &Ohlc, bullish: &[Block], bearish: &[Block]) -> Frame {
    let n = input.len();
    let mut out = Columns {
        kind: vec![f64::NAN; n],
        top: vec![f32::NAN; n],
        bottom: vec![f32::NAN; n],
        volume: vec![f32::NAN; n],
        mitigated: vec![f64::NAN; n],
        percentage: vec![f32::NAN; n],
    };
    for (blocks, dir) in [(bullish, 1), (bearish, -1)] {
        for b in blocks {
            if b.erased {
                out.clear(b.row);
            } else {
                out.write(input, b, dir);
            }
        }
    }
    Frame::default()
        .with("OB", Values::F64(out.kind))
        .with("Top", Values::F32(out.top))
        .with("Bottom", Values::F32(out.bottom))
        .with("OBVolume", Values::F32(out.volume))
        .with("MitigatedIndex", Values::F64(out.mitigated))
        .with("Percentage", Values::F32(out.percentage))
}

struct Columns {
    kind: Vec<f64>,
    top: Vec<f32>,
    bottom: Vec<f32>,
    volume: Vec<f32>,
    mitigated: Vec<f64>,
    percentage: Vec<f32>,
}

impl Columns {
    fn clear(&mut self, row: usize) {
        self.kind[row] = f64::NAN;
        self.mitigated[row] = f64::NAN;
        (
            self.top[row],
            self.bottom[row],
            self.volume[row],
            self.percentage[row],
        ) = (f32::NAN, f32::NAN, f32::NAN, f32::NAN);
    }

    /// §5.5: the volume split and the percentage are float32 arithmetic,
    /// as in the reference's float32 arrays.
    fn write(&mut self, input: &Ohlc, b: &Block, dir: i8) {
        let v = |k: usize| b.t.checked_sub(k).map_or(0.0, |i| input.volume[i]);
        let recent = (v(0) + v(1)) as f32;
        let older = v(2) as f32;
        let (high_volume, low_volume) = if dir == 1 {
            (recent, older)
        } else {
            (older, recent)
        };
        let max = py_max(high_volume, low_volume);
        let row = b.row;
        self.kind[row] = f64::from(dir);
        self.top[row] = b.top;
        self.bottom[row] = b.bottom;
        self.volume[row] = (v(0) + v(1) + v(2)) as f32;
        self.mitigated[row] = b.mitigated;
        self.percentage[row] = if max != 0.0 {
            py_min(high_volume, low_volume) / max * 100.0
        } else {
            100.0
        };
    }
}
