//! A Sentry endpoint answering 500: requests are unaffected, every event is counted as
//! refused (or dropped when the queue was full), and shutdown returns.

mod sentry_support;

use std::time::Duration;

use sentry_support::app;
use sentry_support::receiver::Answer;

#[tokio::test]
async fn requests_succeed_and_losses_are_counted() {
    let setup = app::setup(Answer::Status(500), None, Duration::from_secs(1));
    let stats = app::sentry_down_scenario(setup).await;
    assert!(stats.refused() >= 1, "{stats:?}");
}
