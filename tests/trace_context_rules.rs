//! Every parsing rule of W3C Trace Context (and Sentry's `sentry-trace`) as a table, with the
//! cases of the W3C test harness (repository w3c/trace-context, `test/test.py`) among them; and
//! a property test of the parser.

use http::{HeaderMap, HeaderName, HeaderValue};
use http_observability::trace_context::{
    InvalidTraceParent, SentryTrace, TraceContext, TraceParent, TracePolicy, TraceState,
};
use proptest::prelude::*;

const TRACE: &str = "12345678901234567890123456789012";
const PARENT: &str = "1234567890123456";
const VALID: &str = "00-12345678901234567890123456789012-1234567890123456-01";

fn resolve(headers: &[(&str, &str)]) -> TraceContext {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    TracePolicy::new().resolve(&map, || false)
}

fn continued(headers: &[(&str, &str)]) -> bool {
    resolve(headers).trace_id().to_string() == TRACE
}

fn state(headers: &[(&str, &str)]) -> Option<String> {
    let mut all = vec![("traceparent", VALID)];
    all.extend_from_slice(headers);
    let trace = resolve(&all);
    assert_eq!(
        trace.trace_id().to_string(),
        TRACE,
        "the trace is kept whatever tracestate says"
    );
    trace.trace_state().map(|s| s.as_str().to_owned())
}

#[test]
fn traceparent_table() {
    use InvalidTraceParent::*;
    let rows: &[(&str, Result<(), InvalidTraceParent>)] = &[
        (VALID, Ok(())),
        (
            "00-12345678901234567890123456789012-1234567890123456-00",
            Ok(()),
        ),
        // Optional white space around the value (harness: test_traceparent_ows_handling).
        (
            " 00-12345678901234567890123456789012-1234567890123456-01",
            Ok(()),
        ),
        (
            "\t00-12345678901234567890123456789012-1234567890123456-01",
            Ok(()),
        ),
        (
            "00-12345678901234567890123456789012-1234567890123456-01 ",
            Ok(()),
        ),
        (
            "00-12345678901234567890123456789012-1234567890123456-01\t",
            Ok(()),
        ),
        (
            "\t 00-12345678901234567890123456789012-1234567890123456-01 \t",
            Ok(()),
        ),
        // Version 00 is exactly 55 characters (test_traceparent_version_0x00).
        (
            "00-12345678901234567890123456789012-1234567890123456-01.",
            Err(Length),
        ),
        (
            "00-12345678901234567890123456789012-1234567890123456-01-what-the-future-will-be-like",
            Err(Length),
        ),
        // A later version is read at the version-00 positions (test_traceparent_version_0xcc).
        (
            "cc-12345678901234567890123456789012-1234567890123456-01",
            Ok(()),
        ),
        (
            "cc-12345678901234567890123456789012-1234567890123456-01-what-the-future-will-be-like",
            Ok(()),
        ),
        (
            "cc-12345678901234567890123456789012-1234567890123456-01.what-the-future-will-be-like",
            Err(Length),
        ),
        // Version ff is invalid; versions are two lowercase hex digits.
        (
            "ff-12345678901234567890123456789012-1234567890123456-01",
            Err(Version),
        ),
        (
            ".0-12345678901234567890123456789012-1234567890123456-01",
            Err(Version),
        ),
        (
            "0.-12345678901234567890123456789012-1234567890123456-01",
            Err(Version),
        ),
        (
            "0A-12345678901234567890123456789012-1234567890123456-01",
            Err(Version),
        ),
        // Too long a version: read as 00, too long for it (test_traceparent_version_too_long).
        (
            "000-12345678901234567890123456789012-1234567890123456-01",
            Err(Length),
        ),
        (
            "0000-12345678901234567890123456789012-1234567890123456-01",
            Err(Length),
        ),
        (
            "01-12345678901234567890123456789012-1234567890123456-01-",
            Ok(()),
        ),
        (
            "010-12345678901234567890123456789012-1234567890123456-01",
            Err(Length),
        ),
        (
            "0-12345678901234567890123456789012-1234567890123456-01",
            Err(Length),
        ),
        // The trace id: 32 lowercase hex digits, not all zero.
        (
            "00-00000000000000000000000000000000-1234567890123456-01",
            Err(TraceId),
        ),
        (
            "00-.2345678901234567890123456789012-1234567890123456-01",
            Err(TraceId),
        ),
        (
            "00-1234567890123456789012345678901.-1234567890123456-01",
            Err(TraceId),
        ),
        (
            "00-1234567890123456789012345678901A-1234567890123456-01",
            Err(TraceId),
        ),
        (
            "00-123456789012345678901234567890123-1234567890123456-01",
            Err(Length),
        ),
        (
            "00-1234567890123456789012345678901-1234567890123456-01",
            Err(Length),
        ),
        // The parent id: 16 lowercase hex digits, not all zero.
        (
            "00-12345678901234567890123456789012-0000000000000000-01",
            Err(ParentId),
        ),
        (
            "00-12345678901234567890123456789012-.234567890123456-01",
            Err(ParentId),
        ),
        (
            "00-12345678901234567890123456789012-123456789012345.-01",
            Err(ParentId),
        ),
        (
            "00-12345678901234567890123456789012-123456789012345F-01",
            Err(ParentId),
        ),
        (
            "00-12345678901234567890123456789012-12345678901234567-01",
            Err(Length),
        ),
        (
            "00-12345678901234567890123456789012-123456789012345-01",
            Err(Length),
        ),
        // The flags: two lowercase hex digits.
        (
            "00-12345678901234567890123456789012-1234567890123456-.0",
            Err(Flags),
        ),
        (
            "00-12345678901234567890123456789012-1234567890123456-0.",
            Err(Flags),
        ),
        (
            "00-12345678901234567890123456789012-1234567890123456-0A",
            Err(Flags),
        ),
        (
            "00-12345678901234567890123456789012-1234567890123456-001",
            Err(Length),
        ),
        (
            "00-12345678901234567890123456789012-1234567890123456-1",
            Err(Length),
        ),
        // Delimiters.
        (
            "00_12345678901234567890123456789012-1234567890123456-01",
            Err(Delimiter),
        ),
        (
            "00-12345678901234567890123456789012_1234567890123456-01",
            Err(Delimiter),
        ),
        (
            "00-12345678901234567890123456789012-1234567890123456_01",
            Err(Delimiter),
        ),
        ("", Err(Length)),
    ];
    for (value, expected) in rows {
        let got = TraceParent::parse(value.as_bytes()).map(|_| ());
        assert_eq!(&got, expected, "traceparent {value:?}");
        // What the request does with it: continue the trace, or start a new one.
        assert_eq!(
            continued(&[("traceparent", value)]),
            expected.is_ok() && value.contains(TRACE),
            "request with traceparent {value:?}"
        );
    }
}

#[test]
fn a_continued_trace_keeps_the_callers_ids_under_a_span_of_its_own() {
    let trace = resolve(&[("traceparent", VALID)]);
    assert_eq!(trace.trace_id().to_string(), TRACE);
    assert_eq!(trace.parent_span_id().unwrap().to_string(), PARENT);
    assert_ne!(trace.span_id().to_string(), PARENT);
    assert!(trace.is_sampled());
    // Sent on as version 00, our span as the parent, whatever version came.
    let later = resolve(&[(
        "traceparent",
        "cc-12345678901234567890123456789012-1234567890123456-01-xyz",
    )]);
    let sent = later.traceparent();
    assert_eq!(
        sent.to_str().unwrap(),
        format!("00-{TRACE}-{}-01", later.span_id())
    );
    // The flags: sampled inherited, the Level 2 random bit passed on, undefined bits dropped.
    let flags = |f: &str| {
        resolve(&[("traceparent", &format!("00-{TRACE}-{PARENT}-{f}"))])
            .flags()
            .to_hex()
            .to_string()
    };
    assert_eq!(flags("00"), "00");
    assert_eq!(flags("02"), "02");
    assert_eq!(flags("ff"), "03");
}

#[test]
fn header_names_any_casing_other_names_ignored() {
    // test_traceparent_header_name_valid_casing: HTTP header names are case-insensitive.
    for name in ["TraceParent", "TrAcEpArEnT", "TRACEPARENT"] {
        assert!(continued(&[(name, VALID)]), "{name}");
    }
    // test_traceparent_header_name: other names are not the header.
    for name in ["trace-parent", "trace.parent"] {
        assert!(!continued(&[(name, VALID)]), "{name}");
    }
    for name in ["TraceState", "TrAcEsTaTe", "TRACESTATE"] {
        assert_eq!(
            state(&[(name, "foo=1")]).as_deref(),
            Some("foo=1"),
            "{name}"
        );
    }
    for name in ["trace-state", "trace.state"] {
        assert_eq!(state(&[(name, "foo=1")]), None, "{name}");
    }
}

#[test]
fn two_traceparent_headers_are_invalid() {
    // test_traceparent_duplicated
    let other = "00-12345678901234567890123456789011-1234567890123456-01";
    let trace = resolve(&[("traceparent", other), ("traceparent", VALID)]);
    assert_ne!(trace.trace_id().to_string(), TRACE);
    assert_ne!(
        trace.trace_id().to_string(),
        "12345678901234567890123456789011"
    );
    assert!(trace.parent_span_id().is_none());
}

#[test]
fn tracestate_table() {
    let members = |from: usize, to: usize| {
        (from..=to)
            .map(|i| format!("bar{i:02}={i:02}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let key256 = "z".repeat(256);
    let key257 = "z".repeat(257);
    let tenant = format!("{}@{}", "t".repeat(241), "v".repeat(14));
    let value = (0x20u8..=0x7e)
        .filter(|&c| c != b',' && c != b'=')
        .map(char::from)
        .collect::<String>();
    let all_key = "abcdefghijklmnopqrstuvwxyz0123456789_-*/";
    let rows: Vec<(Vec<String>, Option<String>)> = vec![
        // Kept beside a valid traceparent, normalised.
        (vec!["foo=1,bar=2".into()], Some("foo=1,bar=2".into())),
        // Several headers combine in order (test_tracestate_multiple_headers_different_keys).
        (
            vec![
                "foo=1,bar=2".into(),
                "rojo=1,congo=2".into(),
                "baz=3".into(),
            ],
            Some("foo=1,bar=2,rojo=1,congo=2,baz=3".into()),
        ),
        // Empty headers and members are nothing (test_tracestate_empty_header).
        (vec!["".into()], None),
        (vec!["foo=1".into(), "".into()], Some("foo=1".into())),
        (vec!["".into(), "foo=1".into()], Some("foo=1".into())),
        (vec!["foo=1,,bar=2".into()], Some("foo=1,bar=2".into())),
        // Optional white space around members (test_tracestate_ows_handling).
        (
            vec!["foo=1 \t , \t bar=2, \t baz=3".into()],
            Some("foo=1,bar=2,baz=3".into()),
        ),
        (
            vec!["foo=1\t \t,\t \tbar=2,\t \tbaz=3".into()],
            Some("foo=1,bar=2,baz=3".into()),
        ),
        (vec![" foo=1".into()], Some("foo=1".into())),
        (vec!["\t foo=1 \t".into()], Some("foo=1".into())),
        // Duplicated keys: the first is kept (test_tracestate_duplicated_keys allows either).
        (vec!["foo=1,foo=1".into()], Some("foo=1".into())),
        (vec!["foo=1,foo=2".into()], Some("foo=1".into())),
        (vec!["foo=1".into(), "foo=2".into()], Some("foo=1".into())),
        // Every allowed character (test_tracestate_all_allowed_characters).
        (
            vec![format!("{all_key}={value}")],
            Some(format!("{all_key}={value}")),
        ),
        (
            vec![format!("{all_key}@a-z0-9_-*/={value}")],
            Some(format!("{all_key}@a-z0-9_-*/={value}")),
        ),
        // Keys: lowercase, digits and _-*/@, 1 to 256 characters (test_tracestate_key_*).
        (vec!["foo =1".into()], None),
        (vec!["FOO=1".into()], None),
        (vec!["foo.bar=1".into()], None),
        (vec!["foo@=1,bar=2".into()], Some("foo@=1,bar=2".into())),
        (vec!["@foo=1,bar=2".into()], None),
        (
            vec!["foo@@bar=1,bar=2".into()],
            Some("foo@@bar=1,bar=2".into()),
        ),
        (
            vec!["foo@bar@baz=1,bar=2".into()],
            Some("foo@bar@baz=1,bar=2".into()),
        ),
        (
            vec!["foo=1".into(), format!("{key256}=1")],
            Some(format!("foo=1,{key256}=1")),
        ),
        (vec!["foo=1".into(), format!("{key257}=1")], None),
        (
            vec!["foo=1".into(), format!("{tenant}=1")],
            Some(format!("foo=1,{tenant}=1")),
        ),
        // Values: printable ASCII but , and =, not ending in a space, 1 to 256 characters.
        (vec!["foo=bar=baz".into()], None),
        (vec!["foo=,bar=3".into()], None),
        (vec!["foo=a b".into()], Some("foo=a b".into())),
        (
            vec![format!("foo={}", "v".repeat(256))],
            Some(format!("foo={}", "v".repeat(256))),
        ),
        (vec![format!("foo={}", "v".repeat(257))], None),
        (vec!["foo".into()], None),
        // At most 32 members (test_tracestate_member_count_limit).
        (
            vec![
                members(1, 10),
                members(11, 20),
                members(21, 30),
                members(31, 32),
            ],
            Some(members(1, 32)),
        ),
        (
            vec![
                members(1, 10),
                members(11, 20),
                members(21, 30),
                members(31, 33),
            ],
            None,
        ),
    ];
    for (headers, expected) in rows {
        let pairs: Vec<(&str, &str)> = headers.iter().map(|v| ("tracestate", v.as_str())).collect();
        assert_eq!(state(&pairs), expected, "tracestate {headers:?}");
        let parsed = TraceState::from_values(headers.iter().map(|v| v.as_bytes()));
        let parsed = parsed.ok().flatten().map(|s| s.as_str().to_owned());
        assert_eq!(parsed, expected, "TraceState::from_values {headers:?}");
    }
}

#[test]
fn tracestate_is_dropped_without_a_valid_traceparent() {
    // test_tracestate_included_traceparent_missing
    assert!(resolve(&[("tracestate", "foo=1")]).trace_state().is_none());
    let bad = "00-00000000000000000000000000000000-1234567890123456-01";
    assert!(
        resolve(&[("traceparent", bad), ("tracestate", "foo=1")])
            .trace_state()
            .is_none()
    );
}

#[test]
fn sentry_trace_is_the_parent_without_a_valid_traceparent() {
    let sentry = "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7";
    let rows: &[(&str, Option<Option<bool>>)] = &[
        (sentry, Some(None)),
        (
            "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
            Some(Some(true)),
        ),
        (
            "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",
            Some(Some(false)),
        ),
        (
            " 4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1 ",
            Some(Some(true)),
        ),
        ("4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-2", None),
        ("4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-1", None),
        ("00000000000000000000000000000000-00f067aa0ba902b7-1", None),
        ("4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-1", None),
        ("4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b", None),
        ("4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7", None),
        ("", None),
    ];
    for (value, expected) in rows {
        assert_eq!(
            SentryTrace::parse(value.as_bytes()).map(|t| t.sampled),
            *expected,
            "sentry-trace {value:?}"
        );
        let trace = resolve(&[
            ("sentry-trace", value),
            (
                "baggage",
                "sentry-trace_id=4bf92f3577b34da6a3ce929d0e0e4736",
            ),
        ]);
        assert_eq!(
            trace.trace_id().to_string() == "4bf92f3577b34da6a3ce929d0e0e4736",
            expected.is_some(),
            "{value:?}"
        );
        assert_eq!(
            trace.baggage().is_some(),
            expected.is_some(),
            "baggage is kept with its trace only"
        );
    }
    // The sampling decision: the caller's, or ours when it left it open.
    let policy = TracePolicy::new();
    let mut map = HeaderMap::new();
    map.insert("sentry-trace", HeaderValue::from_static(sentry));
    assert!(policy.resolve(&map, || true).is_sampled());
    assert!(!policy.resolve(&map, || false).is_sampled());
    map.insert(
        "sentry-trace",
        HeaderValue::from_static("4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0"),
    );
    assert!(!policy.resolve(&map, || true).is_sampled());
    // A valid traceparent wins over sentry-trace.
    map.insert("traceparent", HeaderValue::from_static(VALID));
    assert_eq!(policy.resolve(&map, || false).trace_id().to_string(), TRACE);
}

#[test]
fn a_new_trace_follows_the_sampling_decision_and_untrusted_context_is_ignored() {
    let policy = TracePolicy::new();
    assert!(policy.resolve(&HeaderMap::new(), || true).is_sampled());
    assert!(!policy.resolve(&HeaderMap::new(), || false).is_sampled());
    let mut map = HeaderMap::new();
    map.insert("traceparent", HeaderValue::from_static(VALID));
    map.insert(
        "sentry-trace",
        HeaderValue::from_static("4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1"),
    );
    let untrusting = TracePolicy::new().trust_incoming(false);
    let trace = untrusting.resolve(&map, || false);
    assert_ne!(trace.trace_id().to_string(), TRACE);
    assert_ne!(
        trace.trace_id().to_string(),
        "4bf92f3577b34da6a3ce929d0e0e4736"
    );
    assert!(trace.parent_span_id().is_none());
    assert!(!trace.is_sampled());
}

fn hex(len: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(b"0123456789abcdef".to_vec()), len)
        .prop_map(|v| String::from_utf8(v).unwrap())
}

proptest! {
    /// Arbitrary bytes never panic the parser, and whatever it accepts has the spec's shape.
    #[test]
    fn the_parser_never_accepts_what_the_spec_rejects(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
        if let Ok(parent) = TraceParent::parse(&bytes) {
            let text = std::str::from_utf8(&bytes).unwrap().trim_matches([' ', '\t']);
            let b = text.as_bytes();
            prop_assert!(b.len() >= 55);
            prop_assert!(&text[..2] != "ff");
            prop_assert!(text[..2].bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
            prop_assert!(text[..2] != *"00" || b.len() == 55);
            prop_assert!(b.len() == 55 || b[55] == b'-');
            prop_assert_eq!(&text[3..35], parent.trace_id.to_string());
            prop_assert_eq!(&text[36..52], parent.parent_id.to_string());
        }
        let _ = TraceState::from_values(std::iter::once(&bytes[..]));
        let _ = SentryTrace::parse(&bytes);
    }

    /// What it accepts round-trips: sent on as version 00 and read back, the same ids.
    #[test]
    fn accepted_values_round_trip(version in hex(2), trace in hex(32), parent in hex(16), flags in hex(2), rest in "(-[a-z0-9]{0,8})?") {
        let rest = if version == "00" { String::new() } else { rest };
        let value = format!("{version}-{trace}-{parent}-{flags}{rest}");
        let valid = version != "ff" && trace != "0".repeat(32) && parent != "0".repeat(16);
        let parsed = TraceParent::parse(value.as_bytes());
        prop_assert_eq!(parsed.is_ok(), valid, "{}", value);
        if let Ok(parent_ctx) = parsed {
            let mut map = HeaderMap::new();
            map.insert("traceparent", HeaderValue::from_str(&value).unwrap());
            let context = TracePolicy::new().resolve(&map, || false);
            let sent = context.traceparent();
            let again = TraceParent::parse(sent.as_bytes()).unwrap();
            prop_assert_eq!(again.trace_id, parent_ctx.trace_id);
            prop_assert_eq!(again.parent_id, context.span_id());
            prop_assert_eq!(again.flags, parent_ctx.flags);
        }
    }

    /// A tracestate that is accepted is sent on in a form that parses back to itself.
    #[test]
    fn accepted_tracestate_round_trips(value in "[a-z0-9=,@ _*/\\-]{0,60}") {
        if let Ok(Some(state)) = TraceState::from_values(std::iter::once(value.as_bytes())) {
            let again = TraceState::from_values(std::iter::once(state.as_str().as_bytes())).unwrap().unwrap();
            prop_assert_eq!(again.as_str(), state.as_str());
        }
    }
}
