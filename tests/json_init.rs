//! `Init::install` and `init!()` as the global subscriber: once per process, and the opt-in panic
//! hook writes a panic as one JSON ERROR line (one test: the global subscriber is per process).

use http_observability::{Init, InitError};

mod support;

use support::Capture;

#[test]
fn installs_once_and_logs_panics_as_json() {
    let capture = Capture::default();
    let guard = Init::new()
        .service("init-test")
        .filter("info")
        .writer(capture.clone())
        .log_panics(true)
        .install()
        .expect("first install");

    let second = http_observability::init!();
    assert!(matches!(second, Err(InitError::AlreadyInitialized)));
    assert!(second.unwrap_err().to_string().contains("already set"));

    tracing::info!(user_id = 1, "hello");
    let panicked = std::thread::spawn(|| {
        let span = tracing::info_span!("request", request_id = "abc");
        let _span = span.enter();
        panic!("boom at {}", 42);
    })
    .join();
    assert!(panicked.is_err());
    drop(guard);

    // Start-up lines (with the `sentry` feature: "Sentry reporting is off") aside.
    let lines: Vec<_> = capture
        .lines()
        .into_iter()
        .filter(|line| line["target"] != "http_observability::sentry")
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["message"], "hello");
    assert_eq!(lines[0]["service"], "init-test");
    let panic = &lines[1];
    assert_eq!(panic["level"], "ERROR");
    assert_eq!(panic["message"], "panic");
    assert_eq!(panic["panic.message"], "boom at 42");
    assert_eq!(panic["request_id"], "abc");
    assert!(
        panic["panic.location"]
            .as_str()
            .expect("a location")
            .starts_with("tests/json_init.rs:")
    );
}
