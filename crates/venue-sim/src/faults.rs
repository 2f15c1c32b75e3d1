//! Fault injection: the `--faults` grammar, its parser, and the counters
//! that decide when a fault fires. The same spec text is accepted by the
//! control endpoint (`PUT /__sim/faults`).
//!
//! ```text
//! spec   = fault *( ";" fault )
//! fault  = kind [ "(" param *( "," param ) ")" ]
//! param  = name "=" value
//! ```
//!
//! | kind | what it does | own params |
//! |---|---|---|
//! | `drop-ws` | closes WebSocket connections abruptly, `after` their opening | `after=DURATION` (default `1s`) |
//! | `delay` | delays matching HTTP responses | `ms=N` (default 1000) |
//! | `429` | answers 429 -1003 with `Retry-After` | |
//! | `418` | answers 418 -1003 (IP banned) with `Retry-After` | `secs=120` |
//! | `-1021` | answers 400 -1021 (timestamp outside the recvWindow) | |
//! | `5xx` | answers a 5xx (unknown execution status) | `status=500..599` (default 503) |
//! | `order-timeout` | accepts the order into the book, then answers 503 -1007 (execution status unknown) after `ms` | `ms=N` (default 0) |
//! | `dup-events` | sends every user-data event twice | |
//! | `reorder-events` | swaps consecutive user-data events (a lone one goes out 200 ms late) | |
//! | `garble-events` | cuts a user-data event's frame in half (the client cannot parse it; the event is lost to it) | |
//! | `refuse` | refuses the request with a Binance error (nothing is placed) | `code=N` (default -2010; -2010, -2021, -2019, -1013 carry Binance's message) |
//!
//! Params every kind takes: `path=PREFIX` (only requests whose path starts
//! with it; default all), `method=GET|POST|PUT|DELETE` (only requests of
//! that method), `type=PREFIX` (only order requests whose `type`
//! starts with it: `type=STOP` hits `STOP_LOSS` and `STOP_MARKET` legs,
//! `type=TAKE_PROFIT` the targets), `every=N` (the N-th, 2N-th, … matching
//! request or event; default 1), `count=N` (fire at most N times; default
//! unlimited).
//! Durations are `250ms`, `2s` or a plain number of milliseconds.
//! Example: `delay(ms=300,path=/api/v3/order);429(every=5,count=2);drop-ws(after=2s)`.

use std::fmt;

/// What a fault does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    DropWs { after_ms: u64 },
    Delay { ms: u64 },
    TooManyRequests,
    Banned { secs: u64 },
    BadTimestamp,
    ServerError { status: u16 },
    OrderTimeout { ms: u64 },
    DuplicateEvents,
    ReorderEvents,
    GarbleEvents,
    Refuse { code: i64 },
}

impl FaultKind {
    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::DropWs { .. } => "drop-ws",
            FaultKind::Delay { .. } => "delay",
            FaultKind::TooManyRequests => "429",
            FaultKind::Banned { .. } => "418",
            FaultKind::BadTimestamp => "-1021",
            FaultKind::ServerError { .. } => "5xx",
            FaultKind::OrderTimeout { .. } => "order-timeout",
            FaultKind::DuplicateEvents => "dup-events",
            FaultKind::ReorderEvents => "reorder-events",
            FaultKind::GarbleEvents => "garble-events",
            FaultKind::Refuse { .. } => "refuse",
        }
    }
}

/// What a request is, for the `method` and `type` filters.
#[derive(Debug, Clone, Copy, Default)]
pub struct Occasion<'a> {
    pub method: Option<&'a str>,
    /// The `type` of an order it places.
    pub order_type: Option<&'a str>,
}

/// One fault with its filters and counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub kind: FaultKind,
    pub path: Option<String>,
    /// Only requests of this HTTP method.
    pub method: Option<String>,
    /// Only order requests whose `type` starts with this.
    pub order_type: Option<String>,
    pub every: u64,
    pub count: Option<u64>,
    seen: u64,
    fired: u64,
}

impl Fault {
    pub fn new(kind: FaultKind) -> Self {
        Fault {
            kind,
            path: None,
            method: None,
            order_type: None,
            every: 1,
            count: None,
            seen: 0,
            fired: 0,
        }
    }

    /// Counts one matching occasion (a request to `path`, an event, a
    /// connection) and says whether the fault fires on it.
    pub fn fires(&mut self, path: &str) -> bool {
        self.fires_on(path, &Occasion::default())
    }

    /// [`Fault::fires`] for a request of a method, perhaps placing an order.
    pub fn fires_on(&mut self, path: &str, occasion: &Occasion<'_>) -> bool {
        if self.path.as_deref().is_some_and(|p| !path.starts_with(p)) {
            return false;
        }
        if self
            .method
            .as_deref()
            .is_some_and(|m| occasion.method != Some(m))
        {
            return false;
        }
        let order_type = occasion.order_type;
        if let Some(t) = &self.order_type
            && !order_type.is_some_and(|o| o.starts_with(t.as_str()))
        {
            return false;
        }
        if self.count.is_some_and(|c| self.fired >= c) {
            return false;
        }
        self.seen += 1;
        if !self.seen.is_multiple_of(self.every) {
            return false;
        }
        self.fired += 1;
        true
    }

    pub fn fired(&self) -> u64 {
        self.fired
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut params = Vec::new();
        match self.kind {
            FaultKind::DropWs { after_ms } => params.push(format!("after={after_ms}ms")),
            FaultKind::Delay { ms } | FaultKind::OrderTimeout { ms } => {
                params.push(format!("ms={ms}"))
            }
            FaultKind::ServerError { status } => params.push(format!("status={status}")),
            FaultKind::Banned { secs } if secs != 120 => params.push(format!("secs={secs}")),
            FaultKind::Refuse { code } => params.push(format!("code={code}")),
            _ => {}
        }
        if let Some(p) = &self.path {
            params.push(format!("path={p}"));
        }
        if let Some(m) = &self.method {
            params.push(format!("method={m}"));
        }
        if let Some(t) = &self.order_type {
            params.push(format!("type={t}"));
        }
        if self.every != 1 {
            params.push(format!("every={}", self.every));
        }
        if let Some(c) = self.count {
            params.push(format!("count={c}"));
        }
        if params.is_empty() {
            write!(f, "{}", self.kind.name())
        } else {
            write!(f, "{}({})", self.kind.name(), params.join(","))
        }
    }
}

/// A spec that does not follow the grammar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("fault `{fault}`: {reason}")]
pub struct FaultSpecError {
    pub fault: String,
    pub reason: String,
}

fn duration_ms(v: &str) -> Option<u64> {
    if let Some(ms) = v.strip_suffix("ms") {
        ms.parse().ok()
    } else if let Some(s) = v.strip_suffix('s') {
        s.parse::<u64>().ok().map(|s| s * 1_000)
    } else {
        v.parse().ok()
    }
}

fn parse_one(text: &str) -> Result<Fault, FaultSpecError> {
    let err = |reason: String| FaultSpecError {
        fault: text.to_string(),
        reason,
    };
    let (name, args) = match text.split_once('(') {
        Some((name, rest)) => {
            let args = rest
                .strip_suffix(')')
                .ok_or_else(|| err("missing `)`".into()))?;
            (name.trim(), args)
        }
        None => (text, ""),
    };
    let mut params: Vec<(&str, &str)> = Vec::new();
    for p in args.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = p
            .split_once('=')
            .ok_or_else(|| err(format!("parameter `{p}` is not name=value")))?;
        params.push((k.trim(), v.trim()));
    }
    let number = |v: &str, what: &str| {
        v.parse::<u64>()
            .map_err(|_| err(format!("`{what}` must be a whole number, got `{v}`")))
    };
    let mut kind = match name {
        "drop-ws" => FaultKind::DropWs { after_ms: 1_000 },
        "delay" => FaultKind::Delay { ms: 1_000 },
        "429" => FaultKind::TooManyRequests,
        "418" => FaultKind::Banned { secs: 120 },
        "-1021" => FaultKind::BadTimestamp,
        "5xx" => FaultKind::ServerError { status: 503 },
        "order-timeout" => FaultKind::OrderTimeout { ms: 0 },
        "dup-events" => FaultKind::DuplicateEvents,
        "reorder-events" => FaultKind::ReorderEvents,
        "garble-events" => FaultKind::GarbleEvents,
        "refuse" => FaultKind::Refuse { code: -2010 },
        other => {
            return Err(err(format!(
                "unknown kind `{other}` (drop-ws, delay, 429, 418, -1021, 5xx, order-timeout, dup-events, reorder-events, garble-events, refuse)"
            )));
        }
    };
    let mut fault = Fault::new(kind);
    for (k, v) in params {
        match (k, &mut kind) {
            ("path", _) if v.starts_with('/') => fault.path = Some(v.to_string()),
            ("path", _) => return Err(err(format!("path must start with `/`, got `{v}`"))),
            ("every", _) => {
                fault.every = number(v, "every")?;
                if fault.every == 0 {
                    return Err(err("`every` must be at least 1".into()));
                }
            }
            ("count", _) => fault.count = Some(number(v, "count")?),
            ("type", _) if !v.is_empty() => fault.order_type = Some(v.to_ascii_uppercase()),
            ("method", _) => {
                let m = v.to_ascii_uppercase();
                if !["GET", "POST", "PUT", "DELETE"].contains(&m.as_str()) {
                    return Err(err(format!(
                        "method must be GET, POST, PUT or DELETE, got `{v}`"
                    )));
                }
                fault.method = Some(m);
            }
            ("code", FaultKind::Refuse { code }) => {
                *code =
                    v.parse::<i64>().ok().filter(|c| *c < 0).ok_or_else(|| {
                        err(format!("`code` must be a negative number, got `{v}`"))
                    })?;
            }
            ("after", FaultKind::DropWs { after_ms }) => {
                *after_ms = duration_ms(v).ok_or_else(|| err(format!("bad duration `{v}`")))?;
            }
            ("secs", FaultKind::Banned { secs }) => *secs = number(v, "secs")?,
            ("ms", FaultKind::Delay { ms } | FaultKind::OrderTimeout { ms }) => {
                *ms = number(v, "ms")?;
            }
            ("status", FaultKind::ServerError { status }) => {
                let s = number(v, "status")?;
                if !(500..=599).contains(&s) {
                    return Err(err(format!("status must be 500..599, got {s}")));
                }
                *status = s as u16;
            }
            _ => return Err(err(format!("`{k}` is not a parameter of `{name}`"))),
        }
    }
    fault.kind = kind;
    Ok(fault)
}

/// Parses a whole spec (`;`-separated faults; empty means none).
pub fn parse_spec(spec: &str) -> Result<Vec<Fault>, FaultSpecError> {
    spec.split(';')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(parse_one)
        .collect()
}

/// The active faults.
#[derive(Debug, Clone, Default)]
pub struct FaultSet {
    pub faults: Vec<Fault>,
}

impl FaultSet {
    /// The first fault of a kind selected by `pick` that fires on `path`.
    pub fn fire(&mut self, path: &str, pick: impl Fn(&FaultKind) -> bool) -> Option<FaultKind> {
        self.fire_on(path, &Occasion::default(), pick)
    }

    /// [`FaultSet::fire`] for a request (its method, the order it places).
    pub fn fire_on(
        &mut self,
        path: &str,
        occasion: &Occasion<'_>,
        pick: impl Fn(&FaultKind) -> bool,
    ) -> Option<FaultKind> {
        self.faults
            .iter_mut()
            .filter(|f| pick(&f.kind))
            .find_map(|f| f.fires_on(path, occasion).then_some(f.kind))
    }

    /// The spec text of the active faults.
    pub fn describe(&self) -> String {
        self.faults
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(";")
    }
}

/// Waits out a `delay` fault on `path`, then names the request-level
/// fault that fires, if one does (each protocol answers it in its format).
pub async fn request_fault(
    faults: &std::sync::Mutex<FaultSet>,
    path: &str,
    occasion: &Occasion<'_>,
) -> Option<FaultKind> {
    let delay = crate::state::lock(faults)
        .fire_on(path, occasion, |k| matches!(k, FaultKind::Delay { .. }));
    if let Some(FaultKind::Delay { ms }) = delay {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    crate::state::lock(faults).fire_on(path, occasion, |k| {
        matches!(
            k,
            FaultKind::TooManyRequests
                | FaultKind::Banned { .. }
                | FaultKind::BadTimestamp
                | FaultKind::ServerError { .. }
                | FaultKind::Refuse { .. }
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_parses_and_prints_back() {
        let spec = "drop-ws(after=2s);delay(ms=300,path=/api/v3/order);429(every=5,count=2);418;-1021;5xx(status=502,method=DELETE);order-timeout(ms=50);dup-events;reorder-events;refuse(code=-2021,type=STOP)";
        let faults = parse_spec(spec).unwrap();
        assert_eq!(faults.len(), 10);
        assert_eq!(faults[9].kind, FaultKind::Refuse { code: -2021 });
        assert_eq!(faults[0].kind, FaultKind::DropWs { after_ms: 2_000 });
        let set = FaultSet { faults };
        let printed = set.describe();
        assert_eq!(parse_spec(&printed).unwrap(), set.faults);
    }

    #[test]
    fn bad_specs_name_the_fault() {
        for bad in [
            "nope",
            "delay(ms=x)",
            "5xx(status=404)",
            "delay(ms=1",
            "429(every=0)",
            "429(ms=3)",
            "delay(path=api)",
            "refuse(code=2010)",
            "delay(code=-1)",
            "5xx(method=PATCH)",
        ] {
            let e = parse_spec(bad).unwrap_err();
            assert!(bad.starts_with(&e.fault), "{bad}: {e}");
        }
        assert!(parse_spec(" ; ").unwrap().is_empty());
    }

    #[test]
    fn every_count_and_path_filter_occasions() {
        let mut f = parse_spec("429(every=2,count=2,path=/api)")
            .unwrap()
            .remove(0);
        let fired: Vec<bool> = (0..7).map(|_| f.fires("/api/v3/time")).collect();
        assert_eq!(fired, [false, true, false, true, false, false, false]);
        assert!(!f.fires("/fapi/v1/time"));
        assert_eq!(f.fired(), 2);
    }

    #[test]
    fn a_type_filter_fires_only_on_orders_of_that_type() {
        let mut f = parse_spec("refuse(type=stop)").unwrap().remove(0);
        let placing = |t| Occasion {
            method: Some("POST"),
            order_type: Some(t),
        };
        assert!(!f.fires_on("/api/v3/order", &placing("MARKET")));
        assert!(!f.fires("/api/v3/order"));
        assert!(f.fires_on("/api/v3/order", &placing("STOP_LOSS")));
        assert!(f.fires_on("/fapi/v1/algoOrder", &placing("STOP_MARKET")));
        assert_eq!(f.fired(), 2);
        let mut cancels = parse_spec("5xx(method=delete)").unwrap().remove(0);
        assert!(!cancels.fires_on("/api/v3/order", &placing("LIMIT")));
        let delete = Occasion {
            method: Some("DELETE"),
            order_type: None,
        };
        assert!(cancels.fires_on("/api/v3/order", &delete));
    }
}
