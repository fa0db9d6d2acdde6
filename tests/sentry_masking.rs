//! Secrets in every shape reach no Sentry event: each shape logged as an ERROR (with a WARN
//! breadcrumb before it) outside any request, the events received by an envelope endpoint on
//! 127.0.0.1.

mod sentry_support;

use std::time::Duration;

use http_observability::release::{BuildInfo, Release};
use http_observability::reporting::SentryConfig;
use sentry_support::receiver::{Answer, Receiver, tag};
use sentry_support::support::shapes::{CANARY, SECRETS, shapes};
use tracing_subscriber::prelude::*;

#[test]
fn every_shape_is_masked_in_sentry_events() {
    let receiver = Receiver::start(Answer::Status(200));
    tracing_subscriber::registry()
        .with(http_observability::reporting::tracing_layer())
        .init();
    let release = Release::resolve_with(BuildInfo::new("app", "1.0.0", None), |_| None);
    let dsn = receiver.dsn();
    let guard =
        SentryConfig::from_lookup(&release, |name| (name == "SENTRY_DSN").then(|| dsn.clone()))
            .expect("valid Sentry settings")
            .expect("a DSN")
            .flush_timeout(Duration::from_secs(10))
            .init();

    let shapes = shapes();
    for shape in &shapes {
        sentry::with_scope(
            |scope| scope.set_tag("shape", shape.name),
            || {
                tracing::warn!("retrying with password={CANARY}");
                (shape.log)();
            },
        );
    }
    assert!(guard.flush(), "every event reaches the receiver");

    let events = receiver.events();
    let sent = String::from_utf8_lossy(&receiver.all_bytes()).into_owned();
    for secret in SECRETS {
        assert!(!sent.contains(secret), "{secret} reached Sentry: {sent}");
    }
    for shape in &shapes {
        let event = events
            .iter()
            .find(|event| tag(event, "shape") == Some(shape.name))
            .unwrap_or_else(|| panic!("{}: no event in {events:#?}", shape.name));
        let text = event.to_string();
        // An error chain is one exception per error; span fields are not sent.
        let expected = match shape.name {
            "an error chain" => "password=[REDACTED]",
            "a span field" | "a span field recorded later" => "shape",
            _ => &shape.expected,
        };
        let expected = serde_json::to_string(expected).unwrap();
        let expected = &expected[1..expected.len() - 1];
        assert!(
            text.contains(expected),
            "{}: {expected} in {text}",
            shape.name
        );
        // The breadcrumb came along, masked.
        assert!(
            text.contains("retrying with password=[REDACTED]"),
            "{}: {text}",
            shape.name
        );
    }
}
