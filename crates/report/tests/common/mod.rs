//! Test data for the chart pages: a seeded random-walk market on several
//! timeframes and simple rule-based SMC events of every kind on it, so the
//! page tests do not depend on the real detectors (built elsewhere).

#![allow(dead_code)] // each test binary uses a part of this module

use smc_analysis::{Bar, Kind, Lifecycle, Scope, SmcEvent};
use smc_model::Timeframe;

/// xorshift64*: a tiny deterministic generator; the data only needs to
/// look like a market, not to be statistically strong.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    pub fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        ((self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// `n` one-minute bars from `start_ms`: a random walk with drifting
/// volatility and trend regimes, prices rounded to 0.1 like BTCUSDT.
pub fn random_walk(n: usize, start_ms: i64, seed: u64) -> Vec<Bar> {
    let mut rng = Rng::new(seed);
    let (mut price, mut vol, mut drift) = (30_000.0_f64, 0.0008_f64, 0.0_f64);
    let round = |p: f64| (p * 10.0).round() / 10.0;
    (0..n)
        .map(|i| {
            vol = (vol * (1.0 + 0.05 * rng.normal())).clamp(0.0003, 0.003);
            if i % 240 == 0 {
                drift = 0.00003 * rng.normal();
            }
            let open = round(price);
            let close = round(open * (1.0 + drift + vol * rng.normal()));
            let high = round(open.max(close) * (1.0 + vol * 0.6 * rng.normal().abs()));
            let low = round(open.min(close) * (1.0 - vol * 0.6 * rng.normal().abs()));
            price = close;
            let open_time = start_ms + i as i64 * 60_000;
            Bar {
                open_time,
                close_time: open_time + 60_000,
                open,
                high,
                low,
                close,
                volume: (50.0 * (1.0 + 3.0 * rng.uniform()) * (vol / 0.0008)).round(),
            }
        })
        .collect()
}

/// Merges bars into periods of `tf`, aligned on the epoch.
pub fn aggregate(bars: &[Bar], tf: Timeframe) -> Vec<Bar> {
    let ms = tf.duration_ms();
    let mut out: Vec<Bar> = Vec::new();
    for b in bars {
        let start = b.open_time - b.open_time.rem_euclid(ms);
        match out.last_mut() {
            Some(last) if last.open_time == start => {
                last.high = last.high.max(b.high);
                last.low = last.low.min(b.low);
                last.close = b.close;
                last.volume += b.volume;
            }
            _ => out.push(Bar {
                open_time: start,
                close_time: start + ms,
                ..*b
            }),
        }
    }
    out
}

/// An active zone of the generator.
struct Zone {
    id: u64,
    kind: Kind,
    dir: i8,
    top: f64,
    bottom: f64,
    time: i64,
    formed_at: usize,
    mitigated: bool,
}

/// Events of every kind on `bars`, from simple rules: pivots of ±`len`
/// bars are swings; a close beyond the last swing is a BOS (CHoCH against
/// the trend) and makes the last opposite candle an order block; three-bar
/// gaps are FVGs; zones are mitigated on touch and invalidated on a close
/// through, turning into breakers / inverse FVGs; near-equal internal
/// swings are liquidity, swept or broken later.
pub fn events(tf: Timeframe, bars: &[Bar]) -> Vec<SmcEvent> {
    let mut out = Vec::new();
    let mut id = 0u64;
    let mut next = || {
        id += 1;
        id
    };
    let n = bars.len();
    let ev = |kind, life, dir, i: usize, known: usize| {
        SmcEvent::new(
            tf,
            kind,
            life,
            dir,
            bars[i].open_time,
            bars[known].close_time,
        )
    };
    let mut zones: Vec<Zone> = Vec::new();
    let mut pools: Vec<(u64, i8, f64, i64)> = Vec::new();
    // Per scope: (length, last high index, last low index, trend).
    let mut scopes: [(usize, Option<usize>, Option<usize>, i8); 2] =
        [(2, None, None, 0), (5, None, None, 0)];
    let mut last_internal: [Option<usize>; 2] = [None, None];
    let (mut range_hi, mut range_lo) = (None::<usize>, None::<usize>);
    let avg_range = bars.iter().map(|b| b.high - b.low).sum::<f64>() / n.max(1) as f64;
    for j in 0..n {
        let b = bars[j];
        // Zones first: this bar may touch or break zones formed before it.
        let mut flips = Vec::new();
        zones.retain_mut(|z| {
            if z.formed_at >= j {
                return true;
            }
            let (touch, through) = if z.dir == 1 {
                (b.low <= z.top, b.close < z.bottom)
            } else {
                (b.high >= z.bottom, b.close > z.top)
            };
            let e = |life| {
                ev(z.kind, life, z.dir, j, j)
                    .zone(z.top, z.bottom)
                    .id(z.id)
                    .origin(z.time)
            };
            if touch && !z.mitigated {
                z.mitigated = true;
                out.push(e(Lifecycle::Mitigated));
            }
            if through {
                out.push(e(Lifecycle::Invalidated));
                let flip = match z.kind {
                    Kind::Ob => Some(Kind::BreakerBlock),
                    Kind::Fvg => Some(Kind::InverseFvg),
                    _ => None,
                };
                if let Some(kind) = flip {
                    flips.push((kind, -z.dir, z.top, z.bottom, z.time));
                }
            }
            !through
        });
        for (kind, dir, top, bottom, origin) in flips {
            let zid = next();
            out.push(
                ev(kind, Lifecycle::Formed, dir, j, j)
                    .zone(top, bottom)
                    .id(zid)
                    .origin(origin),
            );
            zones.push(Zone {
                id: zid,
                kind,
                dir,
                top,
                bottom,
                time: b.open_time,
                formed_at: j,
                mitigated: false,
            });
        }
        pools.retain(|&(pid, dir, level, origin)| {
            let (through, beyond) = if dir == 1 {
                (b.high > level, b.close > level)
            } else {
                (b.low < level, b.close < level)
            };
            if through {
                let life = if beyond {
                    Lifecycle::Broken
                } else {
                    Lifecycle::Swept
                };
                out.push(
                    ev(Kind::Liquidity, life, dir, j, j)
                        .level(level)
                        .id(pid)
                        .origin(origin),
                );
                if !beyond {
                    out.push(
                        ev(Kind::Sweep, Lifecycle::Formed, dir, j, j)
                            .level(level)
                            .id(pid)
                            .origin(origin),
                    );
                }
            }
            !through
        });
        // Breaks of each scope's last swing levels.
        for (si, scope) in [Scope::Internal, Scope::Swing].into_iter().enumerate() {
            let (_, hi, lo, trend) = &mut scopes[si];
            for (dir, slot) in [(1i8, &mut *hi), (-1i8, &mut *lo)] {
                let Some(p) = *slot else { continue };
                let level = if dir == 1 { bars[p].high } else { bars[p].low };
                if (dir == 1 && b.close > level) || (dir == -1 && b.close < level) {
                    let kind = if *trend == -dir {
                        Kind::Choch
                    } else {
                        Kind::Bos
                    };
                    out.push(
                        ev(kind, Lifecycle::Formed, dir, j, j)
                            .level(level)
                            .id(next())
                            .origin(bars[p].open_time)
                            .scope(scope),
                    );
                    *trend = dir;
                    *slot = None;
                    // The last opposite candle before the break is the order block.
                    if let Some(k) = (p..j)
                        .rev()
                        .find(|&k| (bars[k].close < bars[k].open) == (dir == 1))
                    {
                        let zid = next();
                        let (top, bottom) = (bars[k].high, bars[k].low);
                        out.push(
                            ev(Kind::Ob, Lifecycle::Formed, dir, k, j)
                                .zone(top, bottom)
                                .id(zid)
                                .scope(scope),
                        );
                        zones.push(Zone {
                            id: zid,
                            kind: Kind::Ob,
                            dir,
                            top,
                            bottom,
                            time: bars[k].open_time,
                            formed_at: j,
                            mitigated: false,
                        });
                    }
                }
            }
        }
        // A gap whose middle candle is j - 1, knowable at j's close.
        if j >= 2 {
            let (a, c) = (bars[j - 2], b);
            for (dir, bottom, top) in [(1i8, a.high, c.low), (-1i8, c.high, a.low)] {
                if top - bottom > 0.6 * avg_range {
                    let zid = next();
                    out.push(
                        ev(Kind::Fvg, Lifecycle::Formed, dir, j - 1, j)
                            .zone(top, bottom)
                            .id(zid),
                    );
                    zones.push(Zone {
                        id: zid,
                        kind: Kind::Fvg,
                        dir,
                        top,
                        bottom,
                        time: bars[j - 1].open_time,
                        formed_at: j,
                        mitigated: false,
                    });
                }
            }
        }
        // Swings confirmed at this bar's close, per scope.
        for (si, scope) in [Scope::Internal, Scope::Swing].into_iter().enumerate() {
            let len = scopes[si].0;
            if j < 2 * len {
                continue;
            }
            let p = j - len;
            for dir in [1i8, -1] {
                let v = |k: usize| if dir == 1 { bars[k].high } else { -bars[k].low };
                if !((p - len..p).all(|k| v(k) < v(p)) && (p + 1..=j).all(|k| v(k) <= v(p))) {
                    continue;
                }
                let level = dir as f64 * v(p);
                let kind = if dir == 1 {
                    Kind::SwingHigh
                } else {
                    Kind::SwingLow
                };
                out.push(
                    ev(kind, Lifecycle::Formed, dir, p, j)
                        .level(level)
                        .id(next())
                        .scope(scope),
                );
                let side = usize::from(dir == -1);
                if dir == 1 {
                    scopes[si].1 = Some(p)
                } else {
                    scopes[si].2 = Some(p)
                }
                if scope == Scope::Internal {
                    if let Some(q) = last_internal[side] {
                        let prev = dir as f64 * v(q);
                        if (prev - level).abs() < 0.25 * avg_range {
                            let pl = if dir == 1 {
                                prev.max(level)
                            } else {
                                prev.min(level)
                            };
                            let pid = next();
                            out.push(
                                ev(Kind::Liquidity, Lifecycle::Formed, dir, p, j)
                                    .level(pl)
                                    .id(pid)
                                    .origin(bars[q].open_time),
                            );
                            pools.push((pid, dir, pl, bars[q].open_time));
                        }
                    }
                    last_internal[side] = Some(p);
                } else {
                    if dir == 1 {
                        range_hi = Some(p)
                    } else {
                        range_lo = Some(p)
                    }
                    if let (Some(h), Some(l)) = (range_hi, range_lo) {
                        let (top, bottom) = (bars[h].high, bars[l].low);
                        if top > bottom {
                            let origin = if dir == 1 {
                                bars[l].open_time
                            } else {
                                bars[h].open_time
                            };
                            out.push(
                                ev(Kind::PremiumDiscount, Lifecycle::Formed, dir, p, j)
                                    .zone(top, bottom)
                                    .level((top + bottom) / 2.0)
                                    .id(next())
                                    .origin(origin),
                            );
                        }
                    }
                }
            }
        }
        // Keep a realistic number of live zones: the oldest expire.
        while zones.len() > 24 {
            let z = zones.remove(0);
            out.push(
                SmcEvent::new(tf, z.kind, Lifecycle::Expired, z.dir, z.time, b.close_time)
                    .zone(z.top, z.bottom)
                    .id(z.id),
            );
        }
    }
    out.sort_by_key(|e| e.known_at);
    out
}

/// A market of `minutes` one-minute bars from 2024-03-01 viewed on 1m, 5m,
/// 1h and 1d, with events on each timeframe.
pub fn market(minutes: usize, seed: u64) -> (Vec<(Timeframe, Vec<Bar>)>, Vec<SmcEvent>) {
    let base = random_walk(minutes, 1_709_251_200_000, seed);
    let series: Vec<(Timeframe, Vec<Bar>)> =
        [Timeframe::M1, Timeframe::M5, Timeframe::H1, Timeframe::D1]
            .into_iter()
            .map(|tf| (tf, aggregate(&base, tf)))
            .collect();
    let mut all: Vec<SmcEvent> = series
        .iter()
        .flat_map(|(tf, bars)| events(*tf, bars))
        .collect();
    all.sort_by_key(|e| e.known_at);
    (series, all)
}
