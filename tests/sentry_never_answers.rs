//! A Sentry endpoint that accepts connections and never answers: requests are unaffected, the
//! queue stays bounded (what does not fit is dropped and counted), and shutdown returns
//! although a request to Sentry is still hanging.

mod sentry_support;

use std::time::Duration;

use sentry_support::app;
use sentry_support::receiver::Answer;

#[tokio::test]
async fn requests_succeed_and_shutdown_returns() {
    let setup = app::setup(Answer::Never, None, Duration::from_secs(1));
    let stats = app::sentry_down_scenario(setup).await;
    assert!(
        stats.dropped() >= 1,
        "the bounded queue overflowed: {stats:?}"
    );
}
