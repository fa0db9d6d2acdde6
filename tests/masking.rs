//! Secrets masked in every shape they arrive in, in the JSON lines and in the pretty output;
//! ordinary text left as it is.

mod support;

use http_observability::{Init, LogFormat};
use support::shapes::{SECRETS, shapes};
use support::{Capture, json_lines};

#[test]
fn every_shape_is_masked_in_the_json_lines() {
    for shape in shapes() {
        let capture = json_lines(|| (shape.log)());
        // One line, valid JSON (`one` parses it).
        let line = capture.one();
        assert_eq!(
            line[shape.key].as_str(),
            Some(shape.expected.as_str()),
            "{}: {line}",
            shape.name
        );
        let raw = capture.raw_lines().concat();
        for secret in SECRETS {
            assert!(!raw.contains(secret), "{}: {secret} in {raw}", shape.name);
        }
    }
}

#[test]
fn every_shape_is_masked_in_the_pretty_output() {
    for shape in shapes() {
        let capture = Capture::default();
        let (dispatch, guard) = Init::new()
            .format(LogFormat::Pretty)
            .filter("trace")
            .writer(capture.clone())
            .build()
            .expect("a valid setup");
        let start = capture.raw_bytes().len();
        tracing::dispatcher::with_default(&dispatch, || (shape.log)());
        drop(guard);
        let text = String::from_utf8_lossy(&capture.raw_bytes()[start..]).into_owned();
        assert!(
            text.contains("[REDACTED]") || text.contains("***"),
            "{}: {text}",
            shape.name
        );
        for secret in SECRETS {
            assert!(!text.contains(secret), "{}: {secret} in {text}", shape.name);
        }
    }
}

#[test]
fn ordinary_text_is_untouched() {
    let texts = [
        "0192f1c4-7d3e-7a2b-9c1d-5e6f7a8b9c0d",
        "/var/lib/app/data-2024_01.db",
        "/api/docs/7?page=2&sort=asc",
        "GET /api/docs 200 in 12.5 ms",
        "3.14159 -42 1e10 0x1F 255",
        "12:30:45 on 2024-01-15T10:00:00Z",
        "The quick brown fox jumps over the lazy dog, twice; then: rest.",
        "std::io::Error: connection refused (os error 111)",
        "User { id: 7, name: \"Ann\", roles: [\"admin\"] }",
        "the password was rotated and the token expired",
        "password_policy=strict token_count=3",
        "https://example.com/a/b?x=1#frag",
        "naïve café – ✓ 日本語",
    ];
    let capture = json_lines(|| {
        for text in texts {
            tracing::info!(value = text, shown = %text, debug = ?text, "{text}");
        }
    });
    for (line, text) in capture.lines().iter().zip(texts) {
        assert_eq!(line["value"], text);
        assert_eq!(line["shown"], text);
        assert_eq!(line["message"], text);
        assert_eq!(line["debug"], format!("{text:?}"));
    }
}
