//! Property tests: whatever the strings, keys and numbers, each event is exactly one line that
//! serde_json parses, with every value coming back, under every log profile.

use std::sync::OnceLock;

use http_observability::json::{JsonLayer, LogProfile};
use http_observability::redact::Redactor;
use proptest::prelude::*;
use serde_json::Value;
use tracing::callsite::{Callsite, Identifier};
use tracing::field::{FieldSet, Value as TracingValue};
use tracing::{Event, Level, Metadata, metadata::Kind, subscriber::Interest};
use tracing_subscriber::{Registry, filter::LevelFilter, layer::SubscriberExt};

mod support;

use support::Capture;
use support::profiles::profile_keys;

/// Runs `f` under a JSON layer with `profile` and returns the one line it wrote, raw.
fn one_line(profile: LogProfile, f: impl FnOnce()) -> String {
    let capture = Capture::default();
    let subscriber = Registry::default().with(LevelFilter::TRACE).with(
        JsonLayer::new(capture.clone())
            .service("svc")
            .profile(profile),
    );
    tracing::subscriber::with_default(subscriber, f);
    // `lines` checks that each write is exactly one line.
    let mut lines = capture.raw_lines();
    assert_eq!(lines.len(), 1, "exactly one line: {lines:?}");
    lines.remove(0)
}

/// Any profile.
fn profiles() -> impl Strategy<Value = LogProfile> {
    prop::sample::select(LogProfile::ALL.to_vec())
}

fn parse(line: &str) -> Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line:?}"))
}

/// Strings rich in what needs escaping.
fn tricky_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        any::<char>().prop_map(String::from),
        (0u8..0x20).prop_map(|b| char::from(b).to_string()),
        Just("\"".to_owned()),
        Just("\\".to_owned()),
        Just("\u{2028}".to_owned()),
        Just("\u{2029}".to_owned()),
        Just("\u{7f}".to_owned()),
        Just("\\ud800".to_owned()), // a lone surrogate, as escape text
        Just("𝄞😀".to_owned()),
        "[a-z ]{0,8}",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

/// A callsite with field names chosen at run time (leaked: a test-only convenience).
struct DynamicCallsite(OnceLock<Metadata<'static>>);

impl Callsite for DynamicCallsite {
    fn set_interest(&self, _: Interest) {}
    fn metadata(&self) -> &Metadata<'_> {
        self.0.get().expect("set at creation")
    }
}

fn dynamic_metadata(names: Vec<String>) -> &'static Metadata<'static> {
    let names: &'static [&'static str] = Box::leak(
        names
            .into_iter()
            .map(|n| &*Box::leak(n.into_boxed_str()))
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    );
    let callsite: &'static DynamicCallsite = Box::leak(Box::new(DynamicCallsite(OnceLock::new())));
    let metadata = Metadata::new(
        "dynamic",
        "json_proptest",
        Level::INFO,
        None,
        None,
        None,
        FieldSet::new(names, Identifier(callsite)),
        Kind::EVENT,
    );
    let _ = callsite.0.set(metadata);
    callsite.metadata()
}

const RESERVED: [&str; 5] = ["timestamp", "level", "target", "message", "service"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn strings_round_trip_as_str_display_and_message(profile in profiles(), s in tricky_string()) {
        let line = one_line(profile, || {
            tracing::info!(plain = s.as_str(), shown = %s, "{}", s);
        });
        let json = parse(&line);
        let expected = Redactor::default().mask(&s);
        prop_assert_eq!(json["plain"].as_str(), Some(&*expected));
        prop_assert_eq!(json["shown"].as_str(), Some(&*expected));
        prop_assert_eq!(json["message"].as_str(), Some(&*expected));
        // Safe to embed in JavaScript: no raw line separators.
        let raw_separator = line.contains(['\u{2028}', '\u{2029}']);
        prop_assert!(!raw_separator, "raw U+2028/U+2029 in {:?}", line);
    }

    #[test]
    fn arbitrary_keys_come_out_once_each(
        profile in profiles(),
        keys in prop::collection::hash_set(tricky_string(), 4),
        values in prop::collection::vec(tricky_string(), 4),
    ) {
        let names: Vec<String> = keys.into_iter().collect();
        let metadata = dynamic_metadata(names.clone());
        let fields: Vec<_> = metadata.fields().iter().collect();
        let line = one_line(profile, || {
            let v: Vec<&dyn TracingValue> = values.iter().map(|v| v as &dyn TracingValue).collect();
            let entries = [
                (&fields[0], Some(v[0])),
                (&fields[1], Some(v[1])),
                (&fields[2], Some(v[2])),
                (&fields[3], Some(v[3])),
            ];
            Event::dispatch(metadata, &metadata.fields().value_set(&entries));
        });
        let json = parse(&line);
        let redactor = Redactor::default();
        for (name, value) in names.iter().zip(&values) {
            let expected = if redactor.is_sensitive(name) {
                "[REDACTED]".to_owned()
            } else {
                redactor.mask(value).into_owned()
            };
            let key = if name == "message" {
                "message".to_owned()
            } else if RESERVED.contains(&name.as_str())
                || profile_keys(profile).contains(&name.as_str())
            {
                format!("fields.{name}")
            } else {
                name.clone()
            };
            prop_assert_eq!(json[&key].as_str(), Some(expected.as_str()), "key {:?}", key);
        }
    }

    #[test]
    fn integers_of_every_width(
        profile in profiles(),
        a in any::<i64>(), b in any::<u64>(), c in any::<i128>(), d in any::<u128>(),
        e in any::<i8>(), f in any::<u16>(), g in any::<bool>(),
    ) {
        #[derive(serde::Deserialize)]
        struct Line { a: i64, b: u64, c: i128, d: u128, e: i8, f: u16, g: bool }
        let line = one_line(profile, || tracing::info!(a, b, c, d, e, f, g));
        let parsed: Line = serde_json::from_str(&line).expect("typed parse");
        prop_assert_eq!((parsed.a, parsed.b, parsed.c, parsed.d), (a, b, c, d));
        prop_assert_eq!((parsed.e, parsed.f, parsed.g), (e, f, g));
    }

    #[test]
    fn floats_round_trip_bit_for_bit(
        profile in profiles(),
        x in prop_oneof![
            any::<f64>(),
            (any::<i32>(), 0u32..7).prop_map(|(m, k)| f64::from(m) / 10f64.powi(k as i32)),
        ]
    ) {
        let line = one_line(profile, || tracing::info!(x));
        let json = parse(&line);
        if x.is_nan() {
            prop_assert_eq!(json["x"].as_str(), Some("NaN"));
        } else if x.is_infinite() {
            prop_assert_eq!(json["x"].as_str(), Some(if x > 0.0 { "inf" } else { "-inf" }));
        } else {
            // The raw number text, parsed by the standard library, is the same float.
            let raw = line.split("\"x\":").nth(1).expect("the key");
            let raw = &raw[..raw.find([',', '}']).expect("end of value")];
            prop_assert_eq!(raw.parse::<f64>().expect("a number").to_bits(), x.to_bits());
            prop_assert!(json["x"].is_number());
        }
    }

    #[test]
    fn nested_spans_of_any_depth(profile in profiles(), depth in 0usize..40, s in tricky_string()) {
        fn nest(level: usize, depth: usize, s: &str) {
            if level == depth {
                tracing::info!(leaf = s, "at the bottom");
                return;
            }
            let span = if level == 0 {
                tracing::info_span!("root", depth = level, root_only = true)
            } else {
                tracing::info_span!("child", depth = level, text = s)
            };
            let _entered = span.enter();
            nest(level + 1, depth, s);
        }
        let line = one_line(profile, || nest(0, depth, &s));
        let json = parse(&line);
        let expected = Redactor::default().mask(&s);
        prop_assert_eq!(json["leaf"].as_str(), Some(&*expected));
        if depth > 0 {
            prop_assert_eq!(json["depth"].as_u64(), Some(depth as u64 - 1));
            prop_assert_eq!(json["root_only"].as_bool(), Some(true));
            prop_assert_eq!(line.matches("\"depth\":").count(), 1);
        }
    }

    #[test]
    fn trace_fields_and_access_records_of_any_shape(
        profile in profiles(),
        trace_id in prop_oneof![tricky_string(), "[0-9a-f]{32}"],
        span_id in prop_oneof![tricky_string(), "[0-9a-f]{16}"],
        flags in prop_oneof![tricky_string(), "[0-9a-f]{2}"],
        path in tricky_string(),
        latency_ms in any::<f64>(),
    ) {
        let line = one_line(profile, || {
            let span = tracing::error_span!(
                "request",
                trace_id = trace_id.as_str(),
                span_id = span_id.as_str(),
                trace_flags = flags.as_str(),
            );
            let _entered = span.enter();
            tracing::info!(
                target: "http_observability::access",
                latency_ms,
                http.request.method = "GET",
                url.path = path.as_str(),
                http.response.status_code = 200u16,
                "request completed"
            );
        });
        let json = parse(&line);
        let redactor = Redactor::default();
        prop_assert_eq!(json["url.path"].as_str(), Some(&*redactor.mask(&path)));
        prop_assert_eq!(json["trace_id"].as_str(), Some(&*redactor.mask(&trace_id)));
        if profile == LogProfile::Gcp {
            let request = &json["httpRequest"];
            prop_assert_eq!(request["requestUrl"].as_str(), Some(&*redactor.mask(&path)));
            prop_assert_eq!(request["status"].as_u64(), Some(200));
            let sampled = json["logging.googleapis.com/trace_sampled"].as_bool();
            let valid_flags = flags.len() == 2 && flags.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            prop_assert_eq!(sampled.is_some(), valid_flags, "{}", line);
        }
        for key in ["\"trace_id\":", "\"url.path\":", "\"httpRequest\":", "\"event.duration\":", "\"dd.trace_id\":"] {
            prop_assert!(line.matches(key).count() <= 1, "{} twice in {}", key, line);
        }
    }
}
