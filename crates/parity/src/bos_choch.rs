//! `bos_choch` (reference spec §4): break of structure and change of
//! character from four consecutive swings, written on the second swing's row
//! (back-dated), confirmed by a later break, with the reference's
//! retroactive cancellation and "orphan" BrokenIndex rows.

use crate::first_cross::{Cross, first_crossings};
use crate::frame::{Frame, Values};
use crate::input::Ohlc;
use crate::swings::Swings;

/// A structure candidate on `row` (P2's row): direction and kind.
#[derive(Clone, Copy)]
struct Candidate {
    row: usize,
    dir: i8,
    bos: bool,
    level: f32,
}

pub fn bos_choch(input: &Ohlc, swings: &Swings, close_break: bool) -> Frame {
    let input = &*crate::align::candles(input);
    let swings = &*crate::align::swings(swings, input.len());
    let n = input.len();
    let candidates = find_candidates(swings);
    let broken = first_breaks(input, &candidates, close_break);
    let mut bos = vec![f64::NAN; n];
    let mut choch = vec![f64::NAN; n];
    let mut level = vec![f32::NAN; n];
    let mut broken_index = vec![f64::NAN; n];
    // §4.2: in row order, a break at j cancels every earlier live candidate
    // broken at j or later (its BrokenIndex stays: the "orphans"). Live broken
    // candidates always have increasing break rows, so a stack suffices.
    let mut live: Vec<(usize, usize)> = Vec::new(); // (candidate position, break row)
    let mut cancelled = vec![false; candidates.len()];
    for (k, (c, b)) in candidates.iter().zip(&broken).enumerate() {
        let Some(j) = *b else { continue };
        broken_index[c.row] = j as f64;
        while live.last().is_some_and(|&(_, lj)| lj >= j) {
            if let Some((pos, _)) = live.pop() {
                cancelled[pos] = true;
            }
        }
        live.push((k, j));
    }
    for (k, (c, b)) in candidates.iter().zip(&broken).enumerate() {
        // §4.3: never-broken candidates are cleared completely.
        if b.is_none() || cancelled[k] {
            continue;
        }
        let d = f64::from(c.dir);
        if c.bos {
            bos[c.row] = d;
        } else {
            choch[c.row] = d;
        }
        // The reference turns its 0 placeholders into NaN at the end, so a
        // level that is 0 in float32 prints as NaN too.
        level[c.row] = if c.level != 0.0 { c.level } else { f32::NAN };
    }
    Frame::default()
        .with("BOS", Values::F64(bos))
        .with("CHOCH", Values::F64(choch))
        .with("Level", Values::F32(level))
        .with("BrokenIndex", Values::F64(broken_index))
}

/// §4.1: every window of four consecutive swings (synthetic ones included).
fn find_candidates(swings: &Swings) -> Vec<Candidate> {
    let points: Vec<(usize, i8, f64)> = swings
        .points()
        .map(|(row, kind)| (row, kind, swings.level[row]))
        .collect();
    let mut out = Vec::new();
    for w in points.windows(4) {
        let [(_, t1, p1), (row, t2, p2), (_, t3, p3), (_, t4, p4)] = [w[0], w[1], w[2], w[3]];
        let kinds = [t1, t2, t3, t4];
        let (dir, bos) = if kinds == [-1, 1, -1, 1] {
            if p1 < p3 && p3 < p2 && p2 < p4 {
                (1, true)
            } else if p4 > p2 && p2 > p1 && p1 > p3 {
                (1, false)
            } else {
                continue;
            }
        } else if kinds == [1, -1, 1, -1] {
            if p1 > p3 && p3 > p2 && p2 > p4 {
                (-1, true)
            } else if p4 < p2 && p2 < p1 && p1 < p3 {
                (-1, false)
            } else {
                continue;
            }
        } else {
            continue;
        };
        out.push(Candidate {
            row,
            dir,
            bos,
            level: p2 as f32,
        });
    }
    out
}

/// §4.2: for each candidate, the first row j >= row+2 that breaks its
/// float32 level (close, or wick when `close_break` is false), strictly.
fn first_breaks(input: &Ohlc, candidates: &[Candidate], close_break: bool) -> Vec<Option<usize>> {
    let (up, down) = if close_break {
        (&input.close, &input.close)
    } else {
        (&input.high, &input.low)
    };
    let mut out = vec![None; candidates.len()];
    for (dir, values, cross) in [(1, up, Cross::Above), (-1, down, Cross::Below)] {
        let picked: Vec<usize> = (0..candidates.len())
            .filter(|&k| candidates[k].dir == dir)
            .collect();
        let queries: Vec<(usize, f64)> = picked
            .iter()
            .map(|&k| (candidates[k].row + 2, f64::from(candidates[k].level)))
            .collect();
        first_crossings(values, &queries, cross, |q, j| out[picked[q]] = Some(j));
    }
    out
}
