//! Sentry unreachable (the DSN points to a closed port): requests are unaffected, every lost
//! event is counted as a failed request or a drop, and shutdown returns.

mod sentry_support;

use std::time::Duration;

use sentry_support::app;
use sentry_support::receiver::Answer;

#[tokio::test]
async fn requests_succeed_and_shutdown_returns() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let dsn = format!("http://0123456789abcdef0123456789abcdef@127.0.0.1:{port}/1");
    let setup = app::setup(Answer::Never, Some(dsn), Duration::from_secs(1));
    let stats = app::sentry_down_scenario(setup).await;
    assert!(
        stats.failed() >= 1,
        "connection refused is a failed send: {stats:?}"
    );
}
