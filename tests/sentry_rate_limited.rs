//! A Sentry endpoint answering 429 with Retry-After: the SDK backs off, requests are
//! unaffected, the refusal and the drops are counted, and shutdown returns.

mod sentry_support;

use std::time::Duration;

use sentry_support::app;
use sentry_support::receiver::Answer;

#[tokio::test]
async fn requests_succeed_and_losses_are_counted() {
    let setup = app::setup(Answer::Status(429), None, Duration::from_secs(1));
    let stats = app::sentry_down_scenario(setup).await;
    assert!(stats.refused() >= 1, "{stats:?}");
    assert!(
        stats.dropped() >= 1,
        "backing off drops the rest: {stats:?}"
    );
}
