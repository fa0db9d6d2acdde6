//! Golden tests of the JSON line: exact shape, precedence, reserved keys, redaction,
//! truncation, `Span::record`, values, and 8 threads writing at once.

use std::io;

use http_observability::json::JsonLayer;
use http_observability::redact::Sensitive;
use serde_json::{Value, json};
use tracing_subscriber::{Registry, filter::LevelFilter, layer::SubscriberExt};

mod support;

use support::Capture;

/// Runs `f` with a JSON layer (configured by `configure`) writing to a capture.
fn capture_with(
    configure: impl FnOnce(JsonLayer<Capture>) -> JsonLayer<Capture>,
    f: impl FnOnce(),
) -> Capture {
    let capture = Capture::default();
    let layer = configure(JsonLayer::new(capture.clone()));
    let subscriber = Registry::default().with(LevelFilter::TRACE).with(layer);
    tracing::subscriber::with_default(subscriber, f);
    capture
}

fn capture(f: impl FnOnce()) -> Capture {
    capture_with(|layer| layer, f)
}

/// The keys of a raw line in order (serde_json's map is sorted).
fn keys_in_order(line: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut de = serde_json::Deserializer::from_str(line);
    let map: Vec<(String, Value)> = {
        use serde::de::{Deserializer as _, MapAccess, Visitor};
        struct Ordered;
        impl<'de> Visitor<'de> for Ordered {
            type Value = Vec<(String, Value)>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    out.push(entry);
                }
                Ok(out)
            }
        }
        (&mut de).deserialize_map(Ordered).expect("an object")
    };
    for (key, _) in map {
        keys.push(key);
    }
    keys
}

/// Replaces the timestamp value with a fixed one, after checking its format.
fn fixed_timestamp(line: &str) -> String {
    let prefix = "{\"timestamp\":\"";
    assert!(line.starts_with(prefix), "{line}");
    let stamp = &line[prefix.len()..prefix.len() + 27];
    let b = stamp.as_bytes();
    for (i, c) in b.iter().enumerate() {
        match i {
            4 | 7 => assert_eq!(*c, b'-', "{stamp}"),
            10 => assert_eq!(*c, b'T', "{stamp}"),
            13 | 16 => assert_eq!(*c, b':', "{stamp}"),
            19 => assert_eq!(*c, b'.', "{stamp}"),
            26 => assert_eq!(*c, b'Z', "{stamp}"),
            _ => assert!(c.is_ascii_digit(), "{stamp}"),
        }
    }
    format!(
        "{prefix}2026-11-26T16:23:56.123456Z{}",
        &line[prefix.len() + 27..]
    )
}

#[test]
fn golden_line_of_the_benchmark_event() {
    let capture = capture_with(
        |layer| {
            layer
                .service("docs-api")
                .release("4f1c2d9")
                .environment("production")
        },
        || {
            let request = tracing::info_span!("request", request_id = "0192f1c4", method = "GET");
            let _request = request.enter();
            let handler = tracing::info_span!("handler", doc_id = 7);
            let _handler = handler.enter();
            tracing::info!(
                target: "docs_api::handlers",
                user_id = 42,
                path = "/api/docs",
                latency_ms = 12.5,
                "request finished"
            );
        },
    );
    let lines = capture.raw_lines();
    assert_eq!(lines.len(), 1);
    assert_eq!(
        fixed_timestamp(&lines[0]),
        concat!(
            r#"{"timestamp":"2026-11-26T16:23:56.123456Z","level":"INFO","target":"docs_api::handlers","#,
            r#""message":"request finished","user_id":42,"path":"/api/docs","latency_ms":12.5,"#,
            r#""doc_id":7,"request_id":"0192f1c4","method":"GET","#,
            r#""service":"docs-api","release":"4f1c2d9","environment":"production"}"#,
            "\n"
        )
    );
}

#[test]
fn event_fields_beat_inner_spans_which_beat_outer_spans() {
    let capture = capture(|| {
        let outer = tracing::info_span!("outer", a = "outer", b = "outer", c = "outer");
        let _outer = outer.enter();
        let inner = tracing::info_span!("inner", b = "inner", c = "inner");
        let _inner = inner.enter();
        tracing::info!(c = "event", "hi");
    });
    let lines = capture.raw_lines();
    assert_eq!(
        keys_in_order(&lines[0])[4..],
        ["c", "b", "a"].map(String::from)
    );
    let line = capture.one();
    assert_eq!(line["a"], "outer");
    assert_eq!(line["b"], "inner");
    assert_eq!(line["c"], "event");
}

#[test]
fn request_id_repeated_as_an_event_field_comes_out_once() {
    let capture = capture(|| {
        let span = tracing::info_span!("request", request_id = "abc", http.request.method = "GET");
        let _span = span.enter();
        tracing::info!(
            target: "http_observability::access",
            request_id = "abc",
            http.request.method = "GET",
            url.path = "/docs",
            http.route = None::<&str>,
            http.response.status_code = 200,
            latency_ms = 0.42,
            "request completed"
        );
    });
    let line = &capture.raw_lines()[0];
    assert_eq!(line.matches("\"request_id\"").count(), 1, "{line}");
    assert_eq!(line.matches("\"http.request.method\"").count(), 1, "{line}");
    let keys = keys_in_order(line);
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), keys.len(), "{keys:?}");
    let json = capture.one();
    // Dotted names stay flat keys; an absent Option is not written.
    assert_eq!(json["url.path"], "/docs");
    assert_eq!(json["http.response.status_code"], 200);
    assert!(json.get("http.route").is_none());
    assert!(json.get("url").is_none());
}

#[test]
fn reserved_keys_are_renamed_and_static_fields_kept() {
    let capture = capture_with(
        |layer| {
            layer
                .service("svc")
                .static_field("region", "eu")
                .static_field("message", "x")
        },
        || {
            let span = tracing::info_span!("s", message = "from span", level = 1);
            let _span = span.enter();
            tracing::warn!(
                service = "user",
                region = "user",
                timestamp = 3,
                target = "t",
                release = "not reserved without a release",
                "real message"
            );
        },
    );
    let line = capture.one();
    assert_eq!(line["message"], "real message");
    assert_eq!(line["level"], "WARN");
    assert_eq!(line["target"], "json_format");
    assert_eq!(line["service"], "svc");
    assert_eq!(line["region"], "eu");
    assert_eq!(line["fields.service"], "user");
    assert_eq!(line["fields.region"], "user");
    assert_eq!(line["fields.timestamp"], 3);
    assert_eq!(line["fields.target"], "t");
    assert_eq!(line["fields.message"], "from span");
    assert_eq!(line["fields.level"], 1);
    assert_eq!(line["release"], "not reserved without a release");
    assert!(line["timestamp"].is_string());
}

#[test]
fn sensitive_fields_and_url_passwords_are_redacted() {
    let capture = capture(|| {
        let span = tracing::info_span!(
            "db",
            database_url = "postgres://u:p@h/db",
            db_password = 1234
        );
        let _span = span.enter();
        tracing::info!(
            password = "hunter2",
            api_key = %"k",
            authorization = ?"Bearer x",
            card = %Sensitive("4111"),
            upstream = "https://bob:s3cret@api.example.com/v1?q=1",
            debugged = ?"redis://:pw@cache:6379",
            "connecting to amqp://guest:guest@mq:5672/"
        );
    });
    let line = capture.one();
    for key in [
        "password",
        "api_key",
        "authorization",
        "card",
        "database_url",
        "db_password",
    ] {
        assert_eq!(line[key], "[REDACTED]", "{key}");
    }
    assert_eq!(line["upstream"], "https://bob:***@api.example.com/v1?q=1");
    assert_eq!(line["debugged"], "\"redis://:***@cache:6379\"");
    assert_eq!(line["message"], "connecting to amqp://guest:***@mq:5672/");
    let raw = &capture.raw_lines()[0];
    for secret in ["hunter2", "s3cret", ":pw@", "guest@", "4111", "1234"] {
        assert!(!raw.contains(secret), "{secret} in {raw}");
    }
}

#[test]
fn long_values_are_cut_with_a_marker() {
    let long = "é".repeat(40); // 80 bytes
    let capture = capture_with(
        |layer| layer.max_value_len(11),
        || {
            tracing::info!(s = long.as_str(), d = %long, short = "0123456789a", "{}", long);
        },
    );
    let line = capture.one();
    let expected = "ééééé…[truncated, 80 bytes]";
    assert_eq!(line["s"], expected);
    assert_eq!(line["d"], expected);
    assert_eq!(line["message"], expected);
    assert_eq!(line["short"], "0123456789a");
}

#[test]
fn span_record_replaces_and_fills_empty_fields() {
    let capture = capture(|| {
        let span = tracing::info_span!(
            "request",
            status = 0,
            user = tracing::field::Empty,
            keep = "k"
        );
        let _span = span.enter();
        tracing::info!("before");
        span.record("status", 200);
        span.record("user", "alice");
        span.record("status", 204);
        tracing::info!("after");
    });
    let lines = capture.raw_lines();
    let before: Value = serde_json::from_str(&lines[0]).unwrap();
    let after: Value = serde_json::from_str(&lines[1]).unwrap();
    assert_eq!(before["status"], 0);
    assert!(before.get("user").is_none());
    assert_eq!(after["status"], 204);
    assert_eq!(after["user"], "alice");
    assert_eq!(after["keep"], "k");
    assert_eq!(lines[1].matches("\"status\"").count(), 1, "{}", lines[1]);
}

#[test]
fn a_record_on_an_outer_span_reaches_events_in_existing_inner_spans() {
    let capture = capture(|| {
        let outer = tracing::info_span!("outer", status = 0, user = tracing::field::Empty);
        let _outer = outer.enter();
        let inner = tracing::info_span!("inner", doc_id = 7, status = tracing::field::Empty);
        let _inner = inner.enter();
        let innermost = tracing::info_span!("innermost");
        let _innermost = innermost.enter();
        tracing::info!("before");
        outer.record("status", 200);
        tracing::info!("after outer");
        inner.record("status", 201);
        outer.record("user", "alice");
        tracing::info!("after inner");
        outer.record("status", 500);
        inner.record("doc_id", 8);
        tracing::info!("last");
    });
    let lines = capture.lines();
    assert_eq!(lines[0]["status"], 0);
    assert!(lines[0].get("user").is_none());
    assert_eq!(lines[1]["status"], 200);
    // The inner span's value wins over the outer one, recorded later or not.
    assert_eq!(lines[2]["status"], 201);
    assert_eq!(lines[2]["user"], "alice");
    assert_eq!(lines[3]["status"], 201);
    assert_eq!(lines[3]["doc_id"], 8);
    for line in capture.raw_lines() {
        assert!(line.matches("\"status\"").count() <= 1, "{line}");
    }
}

#[test]
fn a_span_reusing_the_id_of_a_closed_one_has_only_its_own_fields() {
    let capture = capture(|| {
        for i in 0..4 {
            let span = if i % 2 == 0 {
                tracing::info_span!("even", even = i)
            } else {
                tracing::info_span!("odd", odd = i)
            };
            let _span = span.enter();
            tracing::info!(i);
        }
    });
    for (i, line) in capture.lines().iter().enumerate() {
        let (mine, other) = if i % 2 == 0 {
            ("even", "odd")
        } else {
            ("odd", "even")
        };
        assert_eq!(line[mine], i, "{line}");
        assert!(line.get(other).is_none(), "{line}");
    }
}

#[test]
fn spans_closed_on_another_thread_and_reused_nodes_keep_their_own_fields() {
    let capture = Capture::default();
    let dispatch = tracing::Dispatch::new(
        Registry::default()
            .with(LevelFilter::INFO)
            .with(JsonLayer::new(capture.clone())),
    );
    let in_a_span = |name: &'static str, span: &tracing::Span| {
        span.in_scope(|| tracing::info!(step = name));
    };
    tracing::dispatcher::with_default(&dispatch, || {
        for round in 0..3 {
            // Created here, with a child that outlives its parent's handle, closed there.
            let parent = tracing::info_span!("parent", round, parent_only = "p");
            let child = tracing::info_span!(parent: &parent, "child", child_only = round);
            in_a_span("created", &child);
            drop(parent);
            let dispatch = dispatch.clone();
            std::thread::spawn(move || {
                tracing::dispatcher::with_default(&dispatch, || {
                    in_a_span("moved", &child);
                    drop(child);
                    // The nodes just closed on this thread are reused by its next spans.
                    let other = tracing::info_span!("other", other_only = round);
                    in_a_span("other thread", &other);
                });
            })
            .join()
            .expect("the other thread");
            let fresh = tracing::info_span!("fresh", fresh_only = round);
            in_a_span("fresh", &fresh);
        }
    });
    let lines = capture.lines();
    assert_eq!(lines.len(), 12);
    for (i, line) in lines.iter().enumerate() {
        let round = i / 4;
        let own: &[&str] = match line["step"].as_str() {
            Some("created" | "moved") => &["round", "parent_only", "child_only"],
            Some("other thread") => &["other_only"],
            Some("fresh") => &["fresh_only"],
            _ => panic!("unexpected line {line}"),
        };
        for key in [
            "round",
            "parent_only",
            "child_only",
            "other_only",
            "fresh_only",
        ] {
            assert_eq!(line.get(key).is_some(), own.contains(&key), "{key}: {line}");
        }
        if own.contains(&"round") {
            assert_eq!(line["round"], round, "{line}");
            assert_eq!(line["child_only"], round, "{line}");
        }
    }
}

#[test]
fn two_subscribers_on_one_thread_keep_their_spans_apart() {
    let first = Capture::default();
    let second = Capture::default();
    let subscriber = |capture: &Capture| {
        tracing::Dispatch::new(
            Registry::default()
                .with(LevelFilter::INFO)
                .with(JsonLayer::new(capture.clone())),
        )
    };
    let (a, b) = (subscriber(&first), subscriber(&second));
    // Both registries give their first span the same ID; both spans stay open.
    let span_a = tracing::dispatcher::with_default(&a, || tracing::info_span!("a", from = "a"));
    let span_b = tracing::dispatcher::with_default(&b, || tracing::info_span!("b", from = "b"));
    assert_eq!(span_a.id(), span_b.id());
    for _ in 0..2 {
        tracing::dispatcher::with_default(&a, || span_a.in_scope(|| tracing::info!("in a")));
        tracing::dispatcher::with_default(&b, || span_b.in_scope(|| tracing::info!("in b")));
    }
    assert_eq!((first.raw_lines().len(), second.raw_lines().len()), (2, 2));
    for line in first.lines() {
        assert_eq!(line["from"], "a");
    }
    for line in second.lines() {
        assert_eq!(line["from"], "b");
    }
}

#[test]
fn two_json_layers_on_one_registry_both_write_the_span_fields() {
    let (first, second) = (Capture::default(), Capture::default());
    let subscriber = Registry::default()
        .with(LevelFilter::INFO)
        .with(JsonLayer::new(first.clone()))
        .with(JsonLayer::new(second.clone()).service("second"));
    tracing::subscriber::with_default(subscriber, || {
        let outer = tracing::info_span!("outer", a = 1, shared = "outer");
        let inner = tracing::info_span!(parent: &outer, "inner", b = 2, shared = "inner");
        inner.in_scope(|| tracing::info!("in both"));
        outer.in_scope(|| tracing::info!("in outer"));
    });
    for capture in [&first, &second] {
        let lines = capture.lines();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            (&lines[0]["a"], &lines[0]["b"], &lines[0]["shared"]),
            (&json!(1), &json!(2), &json!("inner"))
        );
        assert_eq!(
            (&lines[1]["a"], &lines[1]["shared"]),
            (&json!(1), &json!("outer"))
        );
        assert!(lines[1].get("b").is_none());
    }
    assert_eq!(second.lines()[0]["service"], "second");
}

#[test]
fn entering_and_leaving_spans_changes_the_fields_of_the_next_event() {
    let capture = capture(|| {
        let outer = tracing::info_span!("outer", a = 1);
        let inner = tracing::info_span!(parent: &outer, "inner", b = 2);
        tracing::info!("0: outside");
        {
            let _outer = outer.enter();
            tracing::info!("1: outer");
            inner.in_scope(|| tracing::info!("2: inner"));
            tracing::info!("3: outer again");
        }
        tracing::info!("4: outside again");
        inner.in_scope(|| tracing::info!("5: inner alone"));
    });
    let expected = [
        (None, None),
        (Some(1), None),
        (Some(1), Some(2)),
        (Some(1), None),
        (None, None),
        (Some(1), Some(2)),
    ];
    let lines = capture.lines();
    assert_eq!(lines.len(), expected.len());
    for (line, (a, b)) in lines.iter().zip(expected) {
        assert_eq!(line["a"].as_i64(), a, "{line}");
        assert_eq!(line["b"].as_i64(), b, "{line}");
    }
}

#[test]
fn spans_hidden_by_a_per_layer_filter_are_skipped() {
    use tracing_subscriber::Layer as _;
    let capture = Capture::default();
    let layer =
        JsonLayer::new(capture.clone()).with_filter(tracing_subscriber::filter::filter_fn(|m| {
            m.name() != "hidden"
        }));
    let subscriber = Registry::default().with(layer);
    tracing::subscriber::with_default(subscriber, || {
        let outer = tracing::info_span!("outer", a = 1);
        let _outer = outer.enter();
        tracing::info!("outer");
        let hidden = tracing::info_span!("hidden", h = 0);
        hidden.in_scope(|| {
            tracing::info!("in hidden");
            let inner = tracing::info_span!("inner", b = 2);
            inner.in_scope(|| tracing::info!("in inner"));
            tracing::info!("in hidden again");
        });
    });
    let lines = capture.lines();
    assert_eq!(lines.len(), 4);
    let expected = [
        (Some(1), None),
        (Some(1), None),
        (Some(1), Some(2)),
        (Some(1), None),
    ];
    for (line, (a, b)) in lines.iter().zip(expected) {
        assert_eq!(line["a"].as_i64(), a, "{line}");
        assert_eq!(line["b"].as_i64(), b, "{line}");
        assert!(line.get("h").is_none(), "{line}");
    }
}

#[test]
fn explicit_parents_and_root_events() {
    let capture = capture(|| {
        let outer = tracing::info_span!("outer", a = 1);
        let _outer = outer.enter();
        let other = tracing::info_span!(parent: None, "other", b = 2);
        let child = tracing::info_span!(parent: &other, "child", c = 3);
        tracing::info!("contextual");
        tracing::info!(parent: &child, "explicit");
        tracing::info!(parent: None, "root");
        tracing::info!("contextual again");
    });
    let lines = capture.lines();
    assert_eq!(lines[0]["a"], 1);
    assert!(lines[0].get("b").is_none());
    assert_eq!((&lines[1]["b"], &lines[1]["c"]), (&json!(2), &json!(3)));
    assert!(lines[1].get("a").is_none());
    for key in ["a", "b", "c"] {
        assert!(lines[2].get(key).is_none());
    }
    assert_eq!(lines[3]["a"], 1);
}

#[test]
fn values_of_every_type() {
    #[derive(Debug)]
    #[allow(dead_code)] // read through Debug only
    struct Point {
        x: i32,
    }
    let capture = capture(|| {
        tracing::info!(
            u8v = u8::MAX,
            i8v = i8::MIN,
            u64v = u64::MAX,
            i64v = i64::MIN,
            u128v = u128::MAX,
            i128v = i128::MIN,
            f = -0.5f64,
            f32v = 1.5f32,
            nan = f64::NAN,
            inf = f64::INFINITY,
            ninf = f64::NEG_INFINITY,
            yes = true,
            dbg = ?Point { x: 1 },
            disp = %"shown",
            ctrl = "a\"b\\c\n\t\u{1}\u{2028}\u{2029}𝄞",
        );
    });
    let raw = &capture.raw_lines()[0];
    assert!(
        raw.contains(r#""u128v":340282366920938463463374607431768211455"#),
        "{raw}"
    );
    assert!(
        raw.contains(r#""i128v":-170141183460469231731687303715884105728"#),
        "{raw}"
    );
    assert!(raw.contains(r#"\u2028\u2029"#), "{raw}");
    let line = capture.one();
    assert_eq!(line["message"], "");
    assert_eq!(line["u8v"], 255);
    assert_eq!(line["i8v"], -128);
    assert_eq!(line["u64v"], u64::MAX);
    assert_eq!(line["i64v"], i64::MIN);
    assert_eq!(line["f"], -0.5);
    assert_eq!(line["f32v"], 1.5);
    assert_eq!(line["nan"], "NaN");
    assert_eq!(line["inf"], "inf");
    assert_eq!(line["ninf"], "-inf");
    assert_eq!(line["yes"], true);
    assert_eq!(line["dbg"], "Point { x: 1 }");
    assert_eq!(line["disp"], "shown");
    assert_eq!(line["ctrl"], "a\"b\\c\n\t\u{1}\u{2028}\u{2029}𝄞");
}

#[test]
fn errors_carry_their_source_chain() {
    #[derive(Debug)]
    struct Layered(&'static str, Option<Box<Layered>>);
    impl std::fmt::Display for Layered {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }
    impl std::error::Error for Layered {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|e| e as _)
        }
    }
    let error = Layered(
        "loading doc 7 failed",
        Some(Box::new(Layered(
            "query failed",
            Some(Box::new(Layered("connection refused", None))),
        ))),
    );
    let capture = capture(|| {
        tracing::error!(error = &error as &dyn std::error::Error, "handler failed");
    });
    assert_eq!(
        capture.one()["error"],
        "loading doc 7 failed: query failed: connection refused"
    );
}

#[test]
fn message_only_in_the_message_key_and_non_string_messages() {
    let capture = capture(|| {
        tracing::event!(tracing::Level::INFO, a = 1, message = 42);
        tracing::event!(tracing::Level::INFO, message = f64::NAN);
        tracing::info!(a = 1);
    });
    let lines = capture.lines();
    assert_eq!(
        lines[0],
        json!({"timestamp": lines[0]["timestamp"], "level": "INFO", "target": "json_format", "message": "42", "a": 1})
    );
    assert_eq!(lines[1]["message"], "NaN");
    assert_eq!(lines[2]["message"], "");
}

#[test]
fn a_panicking_display_loses_only_its_line() {
    struct Bomb;
    impl std::fmt::Display for Bomb {
        fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            panic!("formatting bomb")
        }
    }
    struct Failing;
    impl std::fmt::Display for Failing {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("partial")?;
            Err(std::fmt::Error)
        }
    }
    let capture = capture(|| {
        tracing::info!(x = %Bomb, "lost");
        tracing::info!(x = %Failing, "kept");
    });
    let line = capture.one();
    assert_eq!(line["message"], "kept");
    assert_eq!(line["x"], "partial");
}

#[test]
fn an_event_inside_display_does_not_break_the_line() {
    struct Chatty;
    impl std::fmt::Display for Chatty {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            tracing::info!("from inside");
            f.write_str("chatty")
        }
    }
    let capture = capture(|| tracing::info!(x = %Chatty, "outer"));
    // tracing drops the nested event (the dispatcher is busy on this thread); the outer
    // line is whole.
    let line = capture.one();
    assert_eq!(line["x"], "chatty");
    assert_eq!(line["message"], "outer");
}

#[test]
fn eight_threads_never_interleave_inside_a_line() {
    let capture = Capture::default();
    let dispatch = tracing::Dispatch::new(
        Registry::default()
            .with(LevelFilter::INFO)
            .with(JsonLayer::new(capture.clone()).service("svc")),
    );
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let dispatch = dispatch.clone();
            std::thread::spawn(move || {
                tracing::dispatcher::with_default(&dispatch, || {
                    let span = tracing::info_span!("worker", thread = t, pad = "x".repeat(300));
                    let _span = span.enter();
                    for i in 0..200 {
                        tracing::info!(i, text = "y".repeat(i), "line {i} of thread {t}");
                    }
                });
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("thread");
    }
    let lines = capture.lines();
    assert_eq!(lines.len(), 8 * 200);
    let mut seen = std::collections::HashSet::new();
    for line in &lines {
        let (t, i) = (
            line["thread"].as_i64().unwrap(),
            line["i"].as_i64().unwrap(),
        );
        assert_eq!(line["message"], format!("line {i} of thread {t}"));
        assert_eq!(line["text"].as_str().unwrap().len(), i as usize);
        assert!(seen.insert((t, i)));
    }
}

#[test]
fn the_layer_and_the_setup_types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<JsonLayer<fn() -> io::Stdout>>();
    send_sync::<JsonLayer<tracing_appender::non_blocking::NonBlocking>>();
    send_sync::<http_observability::redact::Redactor>();
    send_sync::<http_observability::Init>();
    send_sync::<http_observability::Guard>();
    send_sync::<http_observability::InitError>();
}
