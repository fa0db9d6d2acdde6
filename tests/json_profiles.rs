//! The log profiles: a golden line per kind of line for each profile (handler lines, an ERROR
//! line, the access line, a line outside any request), every key once at every depth, each
//! profile's own keys reserved.
//!
//! The golden files are rewritten from the output with `UPDATE_GOLDEN=1`; read the diff.

use std::collections::BTreeSet;

use http_observability::json::{JsonLayer, LogProfile};
use tracing_subscriber::{Registry, filter::LevelFilter, layer::SubscriberExt};

mod support;

use support::Capture;
use support::profiles::profile_keys;
use support::unique_keys::parse_unique;

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN_ID: &str = "00f067aa0ba902b7";

/// The lines of one request as the lifecycle writes them (its span's fields, the access
/// record's fields), and one line outside any request.
fn scenario() {
    let request = tracing::error_span!(
        "request",
        request_id = "req-1",
        trace_id = TRACE_ID,
        span_id = SPAN_ID,
        trace_flags = "01",
        http.request.method = "GET",
        http.route = "/docs/{id}",
    );
    {
        let _request = request.enter();
        tracing::warn!(target: "docs_api", doc_id = 7, "slow query");
        tracing::error!(target: "docs_api", error = "connection refused", "store failed");
        tracing::info!(
            target: "http_observability::access",
            request_id = "req-1",
            http.request.method = "GET",
            url.path = "/docs/7",
            http.route = "/docs/{id}",
            http.response.status_code = 200u16,
            http.response.body.size = 8u64,
            latency_ms = 1012.345,
            "request completed"
        );
    }
    tracing::debug!(target: "docs_api", "outside any request");
}

/// The lines `f` writes under `profile`, with the facts of a deployed service.
fn lines_under(profile: LogProfile, f: impl FnOnce()) -> Vec<String> {
    let capture = Capture::default();
    let layer = JsonLayer::new(capture.clone())
        .service("docs-api")
        .release("4f1c2d9")
        .environment("production")
        .gcp_project("my-project")
        .profile(profile);
    let subscriber = Registry::default().with(LevelFilter::TRACE).with(layer);
    tracing::subscriber::with_default(subscriber, f);
    capture.raw_lines()
}

/// The line with its timestamp (checked: RFC 3339, UTC, microseconds) made fixed.
fn fixed_time(line: &str) -> String {
    let start = line.find("\":\"").expect("the first key's value") + 3;
    let stamp = &line[start..start + 27];
    assert!(
        stamp.len() == 27 && stamp.ends_with('Z') && &stamp[10..11] == "T",
        "{line}"
    );
    format!(
        "{}2026-12-01T00:00:00.000000Z{}",
        &line[..start],
        &line[start + 27..]
    )
}

#[test]
fn every_profile_writes_its_golden_lines() {
    for profile in LogProfile::ALL {
        let lines: Vec<String> = lines_under(profile, scenario)
            .iter()
            .map(|line| fixed_time(line.trim_end()))
            .collect();
        let path = format!(
            "{}/tests/golden/profile_{}.jsonl",
            env!("CARGO_MANIFEST_DIR"),
            profile.name()
        );
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, lines.join("\n") + "\n").expect("the golden file is written");
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let golden: Vec<&str> = golden.lines().collect();
        assert_eq!(lines.len(), golden.len(), "{profile}: {lines:#?}");
        for (line, expected) in lines.iter().zip(golden) {
            assert_eq!(line, expected, "{profile}");
            parse_unique(line);
        }
    }
}

#[test]
fn the_unique_key_check_finds_a_duplicate() {
    let caught = std::panic::catch_unwind(|| parse_unique(r#"{"a":{"b":1,"b":2}}"#));
    assert!(caught.is_err());
}

/// Every key any profile writes, as a user field of one event inside a request: each comes
/// out once, the profile's own keys as `fields.<name>` with the user's value.
#[test]
fn each_profile_reserves_its_keys() {
    for profile in LogProfile::ALL {
        let lines = lines_under(profile, || {
            let request = tracing::error_span!(
                "request",
                trace_id = TRACE_ID,
                span_id = SPAN_ID,
                trace_flags = "00",
            );
            let _request = request.enter();
            tracing::error!(
                target: "http_observability::access",
                latency_ms = 1.5,
                "time" = "u",
                "severity" = "u",
                "httpRequest" = "u",
                "serviceContext" = "u",
                "@type" = "u",
                "logging.googleapis.com/trace" = "u",
                "logging.googleapis.com/spanId" = "u",
                "logging.googleapis.com/trace_sampled" = "u",
                "status" = "u",
                "dd.trace_id" = "u",
                "dd.span_id" = "u",
                "dd.service" = "u",
                "dd.env" = "u",
                "dd.version" = "u",
                "@timestamp" = "u",
                "log.level" = "u",
                "log.logger" = "u",
                "ecs.version" = "u",
                "service.name" = "u",
                "service.version" = "u",
                "service.environment" = "u",
                "trace.id" = "u",
                "span.id" = "u",
                "event.duration" = "u",
                "xray_trace_id" = "u",
                "operation_Id" = "u",
                "operation_ParentId" = "u",
                "timestamp" = "u",
                "level" = "u",
                "target" = "u",
                "service" = "u",
                "log" = "u",
                "ecs" = "u",
                "trace" = "u",
                "span" = "u",
                "event" = "u",
                "user line"
            );
        });
        assert_eq!(lines.len(), 1);
        let line = parse_unique(&lines[0]);
        let base: &[&str] = &["timestamp", "level", "target"];
        for key in base.iter().chain(profile_keys(profile)) {
            assert_eq!(
                line[format!("fields.{key}")],
                "u",
                "{profile}: {key} in {line}"
            );
            assert_ne!(line[*key], "u", "{profile}: {key} in {line}");
        }
    }
}

#[test]
fn lines_outside_a_request_have_no_trace_link() {
    for profile in LogProfile::ALL {
        let lines = lines_under(profile, || tracing::info!("no request"));
        let line = parse_unique(&lines[0]);
        let keys: BTreeSet<&str> = line
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        for key in [
            "trace_id",
            "logging.googleapis.com/trace",
            "dd.trace_id",
            "trace.id",
            "xray_trace_id",
            "operation_Id",
        ] {
            assert!(!keys.contains(key), "{profile}: {line}");
        }
    }
}
