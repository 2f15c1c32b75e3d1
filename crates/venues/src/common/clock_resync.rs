//! One rule of every signed request: a venue that refuses the request's
//! timestamp (the local clock drifted from the venue's) gets the clock
//! resynchronised and the request signed afresh and sent once more — only
//! once, so a venue that keeps refusing is reported, not looped on.

use std::fmt::Display;
use std::future::Future;

/// Runs `attempt` (which signs with venue time now and sends); when the
/// venue refuses it for its timestamp (`is_clock_refusal`), runs `resync`
/// and `attempt` once more.
pub(crate) async fn resend_after_clock_resync<T, E, A, AFut, R, RFut>(
    mut attempt: A,
    is_clock_refusal: impl Fn(&E) -> bool,
    resync: R,
) -> Result<T, E>
where
    E: Display,
    A: FnMut() -> AFut,
    AFut: Future<Output = Result<T, E>>,
    R: FnOnce() -> RFut,
    RFut: Future<Output = Result<i64, E>>,
{
    match attempt().await {
        Err(e) if is_clock_refusal(&e) => {
            tracing::warn!(%e, "timestamp refused: resynchronising the clock");
            resync().await?;
            attempt().await
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .map(|rt| rt.block_on(f))
            .unwrap_or_else(|e| panic!("runtime: {e}"))
    }

    #[test]
    fn a_clock_refusal_resyncs_and_resends_once() {
        let mut sent = 0;
        let mut synced = 0;
        let r: Result<(), String> = block_on(resend_after_clock_resync(
            || {
                sent += 1;
                async { Err("clock".to_string()) }
            },
            |e| e == "clock",
            || {
                synced += 1;
                async { Ok(0) }
            },
        ));
        assert_eq!(r, Err("clock".to_string()));
        assert_eq!((sent, synced), (2, 1));
    }

    #[test]
    fn other_errors_are_not_resent() {
        let mut sent = 0;
        let r: Result<(), String> = block_on(resend_after_clock_resync(
            || {
                sent += 1;
                async { Err("other".to_string()) }
            },
            |e| e == "clock",
            || async { Ok(0) },
        ));
        assert_eq!(r, Err("other".to_string()));
        assert_eq!(sent, 1);
    }
}
