//! An operator's offline actions on a SQLite store: a reset needs the
//! enrolled token and a known, tripped breaker; a token is enrolled once,
//! and replaced only by a rotation that presents the current one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use smc_model::Timestamp;
use smc_risk::breakers::{BreakerRecord, BreakerState, ResetRequest, ResetVerifier};
use smc_runtime::breaker_admin::{
    BreakerAdminError, Enrollment, enroll_reset_token, reset_breaker,
};
use smc_store::Store;
use zeroize::Zeroizing;

const TOKEN: &str = "the-current-reset-token-0123";
const NEXT: &str = "the-rotated-reset-token-4567";

fn store(name: &str) -> Store {
    let dir = std::env::temp_dir().join(format!("smc-admin-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open_path(&dir.join("state.db")).unwrap();
    let armed = BreakerRecord::armed("daily_loss", Timestamp::from_ms(0));
    store.insert_breaker(&armed).unwrap();
    let (tripped, t) = armed
        .trip(Timestamp::from_ms(1_000), "lost 600 today".into(), None)
        .unwrap();
    store.write_transition(&tripped, &t).unwrap();
    store
}

fn request(token: &str) -> ResetRequest {
    ResetRequest {
        operator: " alice ".into(),
        reason: "loss reviewed".into(),
        token: Zeroizing::new(token.into()),
    }
}

fn enroll(
    store: &Store,
    current: &str,
    rotate_to: Option<&dyn Fn() -> Option<Zeroizing<String>>>,
) -> Result<Enrollment, BreakerAdminError> {
    enroll_reset_token(store, "db", current, rotate_to, Timestamp::from_ms(5))
}

#[test]
fn a_reset_needs_the_enrolled_token_and_a_known_breaker() {
    let store = store("reset");
    let now = Timestamp::from_ms(10_000);
    let e = reset_breaker(&store, "db", "daily_loss", &request(TOKEN), now, 0).unwrap_err();
    assert!(matches!(e, BreakerAdminError::NotEnrolled(_)), "{e}");
    assert_eq!(enroll(&store, TOKEN, None).unwrap(), Enrollment::Enrolled);
    let e = reset_breaker(&store, "db", "daily_loss", &request(NEXT), now, 0).unwrap_err();
    assert!(e.to_string().contains("does not match"), "{e}");
    let e = reset_breaker(&store, "db", "drawdown", &request(TOKEN), now, 0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "no breaker named `drawdown` in db (known: daily_loss)"
    );
    let stored = |s: &Store| s.breaker("daily_loss").unwrap().unwrap();
    assert_eq!(stored(&store).state, BreakerState::Tripped);
    let (next, t) =
        reset_breaker(&store, "db", "daily_loss", &request(TOKEN), now, 60_000).unwrap();
    assert_eq!(next.state, BreakerState::CoolingDown);
    assert_eq!(next.cooldown_until, Some(Timestamp::from_ms(70_000)));
    assert_eq!(t.operator.as_deref(), Some("alice"));
    assert_eq!(stored(&store), next);
    // Cooling down, not tripped: a second reset is refused.
    assert!(reset_breaker(&store, "db", "daily_loss", &request(TOKEN), now, 0).is_err());
}

#[test]
fn a_token_is_replaced_only_by_a_rotation_that_presents_it() {
    let store = store("token");
    let weak = enroll(&store, "short", None).unwrap_err();
    assert!(weak.to_string().contains("at least"), "{weak}");
    assert_eq!(enroll(&store, TOKEN, None).unwrap(), Enrollment::Enrolled);
    assert_eq!(
        enroll(&store, TOKEN, None).unwrap(),
        Enrollment::AlreadyEnrolled
    );
    let other = enroll(&store, NEXT, None).unwrap_err();
    assert!(
        matches!(other, BreakerAdminError::DifferentToken(_)),
        "{other}"
    );
    // The new token is asked for only once the current one is verified.
    let asked = std::cell::Cell::new(0);
    let next = || {
        asked.set(asked.get() + 1);
        Some(Zeroizing::new(NEXT.to_string()))
    };
    let wrong = enroll(&store, NEXT, Some(&next)).unwrap_err();
    assert!(
        matches!(wrong, BreakerAdminError::RotationRefused),
        "{wrong}"
    );
    assert_eq!(asked.get(), 0);
    let missing = enroll(&store, TOKEN, Some(&|| None)).unwrap_err();
    assert!(
        matches!(missing, BreakerAdminError::NoNewToken),
        "{missing}"
    );
    assert_eq!(
        enroll(&store, TOKEN, Some(&next)).unwrap(),
        Enrollment::Enrolled
    );
    assert_eq!(asked.get(), 1);
    let verifier = store.verifier(smc_store::BREAKER_RESET).unwrap().unwrap();
    assert!(verifier.verify(NEXT) && !verifier.verify(TOKEN));
}
