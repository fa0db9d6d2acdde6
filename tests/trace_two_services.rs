//! One request, one trace, one ID across two services over real HTTP on 127.0.0.1: service A
//! (an example's app) calls service B (the test service's `/echo`) from `GET /fanout`, and
//! every line of both carries the same `trace_id` and `request_id`, B's parent being A's
//! span. The same for tower and actix-web, each calling either; 200 concurrent requests keep
//! their own; the trust switch starts a new trace; each adapter hands the rules every value of
//! a header. Logs come from one global subscriber, so this file is its own process.

mod trace_support;

use std::collections::HashSet;
use std::net::SocketAddr;

use http_observability::ObservabilityLayer;
use http_observability::access_log;
use http_observability::outgoing::Propagation;
use serde_json::{Value, json};
use trace_support::support::{caller_ids, request_id};
use trace_support::{ECHO_ROUTE, global_capture, received};

fn is_hex(value: &str, len: usize) -> bool {
    value.len() == len
        && value
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && value.bytes().any(|b| b != b'0')
}

fn text(line: &Value, field: &str) -> String {
    line[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} in {line}"))
        .to_owned()
}

/// What the lines of one request through A (route `a_route`) and B (`/echo`) say.
#[derive(Debug)]
struct Hop {
    trace_id: String,
    trace_flags: String,
    a_span: String,
    /// What B received.
    received: Value,
}

impl Hop {
    /// Reads the lines of request `id` among `lines`, checking what holds for every hop: A
    /// wrote its handler line (`a_message`) and its access line, B its `echo` line and its
    /// access line, all with ID `id` and one trace id, and no other line is in that trace; each
    /// service's lines share its span id; B received the ID and, as parent, A's span.
    fn of(lines: &[Value], id: &str, a_route: &str, a_message: &str) -> Self {
        let ours: Vec<&Value> = lines.iter().filter(|l| l["request_id"] == id).collect();
        let (a, b): (Vec<&Value>, Vec<&Value>) =
            ours.iter().partition(|line| line["http.route"] == a_route);
        assert!(
            b.iter().all(|line| line["http.route"] == ECHO_ROUTE),
            "{id}: every line is A's or B's: {ours:#?}"
        );
        for (service, lines, message) in [("A", &a, a_message), ("B", &b, "echo")] {
            let messages: Vec<&Value> = lines.iter().map(|l| &l["message"]).collect();
            assert_eq!(lines.len(), 2, "{id}: {service}: {messages:?}");
            assert!(
                lines.iter().any(|l| l["message"] == message),
                "{id}: {service}: {messages:?}"
            );
            assert!(
                lines.iter().any(|l| l["target"] == access_log::TARGET),
                "{id}: {service}: an access line: {messages:?}"
            );
        }

        let trace_id = text(ours[0], "trace_id");
        let trace_flags = text(ours[0], "trace_flags");
        assert!(is_hex(&trace_id, 32), "{trace_id}");
        assert!(
            is_hex(&trace_flags, 2) || trace_flags == "00",
            "{trace_flags}"
        );
        for line in &ours {
            assert_eq!(line["trace_id"], trace_id.as_str(), "{id}: {line}");
            assert_eq!(line["trace_flags"], trace_flags.as_str(), "{id}: {line}");
        }
        let in_trace = lines.iter().filter(|l| l["trace_id"] == trace_id.as_str());
        assert_eq!(in_trace.count(), 4, "{id}: no other line is in its trace");

        let a_span = text(a[0], "span_id");
        let b_span = text(b[0], "span_id");
        assert!(
            is_hex(&a_span, 16) && is_hex(&b_span, 16),
            "{a_span} {b_span}"
        );
        assert!(a.iter().all(|l| l["span_id"] == a_span.as_str()), "{a:#?}");
        assert!(b.iter().all(|l| l["span_id"] == b_span.as_str()), "{b:#?}");
        assert_ne!(
            a_span, b_span,
            "each service's request has a span of its own"
        );

        let echo = b.iter().find(|l| l["message"] == "echo").unwrap();
        let received = received(echo);
        assert_eq!(received["x-request-id"], id, "B got A's request ID");
        assert_eq!(
            received["traceparent"],
            format!("00-{trace_id}-{a_span}-{trace_flags}").as_str(),
            "B's parent is the span A logged"
        );
        Self {
            trace_id,
            trace_flags,
            a_span,
            received,
        }
    }
}

/// A's `/fanout` with a caller's `traceparent` and `tracestate` continues the caller's trace in
/// both services; without any context or ID, A starts a trace and an ID that B shares.
async fn one_trace_and_one_id_in_every_line_of_both(a: SocketAddr) {
    let client = reqwest::Client::new();
    let (caller_trace, caller_parent) = caller_ids();
    let id = format!("chain-{}", uuid::Uuid::new_v4().simple());
    let response = client
        .get(format!("http://{a}/fanout"))
        .header("x-request-id", &id)
        .header(
            "traceparent",
            format!("00-{caller_trace}-{caller_parent}-01"),
        )
        .header("tracestate", "vendor=opaque,other=1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(request_id(&response), id);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({ "downstream_status": 200 }));
    let hop = Hop::of(
        &global_capture().lines(),
        &id,
        "/fanout",
        "calling downstream",
    );
    assert_eq!(hop.trace_id, caller_trace, "the caller's trace");
    assert_eq!(hop.trace_flags, "01", "the caller's sampled flag");
    assert_ne!(hop.a_span, caller_parent, "A's span is its own");
    assert_eq!(hop.received["tracestate"], "vendor=opaque,other=1");

    let response = client
        .get(format!("http://{a}/fanout"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let id = request_id(&response);
    let hop = Hop::of(
        &global_capture().lines(),
        &id,
        "/fanout",
        "calling downstream",
    );
    assert_ne!(hop.trace_id, caller_trace, "a new trace");
    assert_eq!(hop.trace_flags, "00", "unsampled without Sentry tracing");
    assert_eq!(hop.received["tracestate"], Value::Null);
}

/// 200 concurrent `/fanout` requests, each with its own ID and `traceparent`: every line of
/// each, in both services, carries its own.
async fn no_trace_or_id_bleeds_between_200_concurrent_requests(a: SocketAddr) {
    let client = reqwest::Client::new();
    let callers: Vec<(String, String, String)> = (0..200)
        .map(|i| {
            let (trace, parent) = caller_ids();
            (
                format!("many-{i}-{}", uuid::Uuid::new_v4().simple()),
                trace,
                parent,
            )
        })
        .collect();
    let mut requests = tokio::task::JoinSet::new();
    for (id, trace, parent) in callers.clone() {
        let client = client.clone();
        requests.spawn(async move {
            let response = client
                .get(format!("http://{a}/fanout"))
                .header("x-request-id", &id)
                .header("traceparent", format!("00-{trace}-{parent}-00"))
                .send()
                .await
                .expect("A answers");
            assert_eq!(response.status(), 200, "{id}");
            assert_eq!(request_id(&response), id);
        });
    }
    while let Some(done) = requests.join_next().await {
        done.expect("every request succeeds");
    }
    let lines = global_capture().lines();
    let mut a_spans = HashSet::new();
    for (id, trace, parent) in &callers {
        let hop = Hop::of(&lines, id, "/fanout", "calling downstream");
        assert_eq!(&hop.trace_id, trace, "{id}");
        assert_eq!(hop.trace_flags, "00", "{id}");
        assert_ne!(&hop.a_span, parent, "{id}");
        assert!(a_spans.insert(hop.a_span), "{id}: a span id of its own");
    }
}

/// The URL of B's echo.
fn echo_of(b: SocketAddr) -> String {
    format!("http://{b}{ECHO_ROUTE}")
}

fn tower_b() -> SocketAddr {
    trace_support::axum_service(ObservabilityLayer::new(), Propagation::new())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tower_to_tower_one_trace_and_one_id_in_every_line() {
    let a = trace_support::axum_example(echo_of(tower_b()));
    one_trace_and_one_id_in_every_line_of_both(a).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tower_no_bleeding_between_200_concurrent_requests() {
    let a = trace_support::axum_example(echo_of(tower_b()));
    no_trace_or_id_bleeds_between_200_concurrent_requests(a).await;
}

/// The README's demo: two example apps chained, A's `/fanout` calling B's `/health`. B's one
/// line, its access line, shares A's ID and trace.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_chained_axum_examples_share_the_id_and_the_trace() {
    let b = trace_support::axum_example("http://127.0.0.1:9/health".into());
    let a = trace_support::axum_example(format!("http://{b}/health"));
    let response = reqwest::get(format!("http://{a}/fanout")).await.unwrap();
    assert_eq!(response.status(), 200);
    let id = request_id(&response);
    let lines = global_capture().lines_of(&id);
    let routes: Vec<&Value> = lines.iter().map(|l| &l["http.route"]).collect();
    assert_eq!(lines.len(), 3, "A's two lines, B's access line: {routes:?}");
    let health: Vec<&Value> = lines
        .iter()
        .filter(|l| l["http.route"] == "/health")
        .collect();
    assert_eq!(health.len(), 1, "{routes:?}");
    assert_eq!(health[0]["target"], access_log::TARGET);
    let trace = &lines[0]["trace_id"];
    assert!(is_hex(trace.as_str().unwrap(), 32), "{trace}");
    assert!(lines.iter().all(|l| &l["trace_id"] == trace), "{lines:#?}");
}

/// With the trust switch off, A starts a new trace despite a valid `traceparent`, and calls B
/// in that new trace.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tower_trust_switch_off_starts_a_new_trace() {
    let b = tower_b();
    let a = trace_support::axum_service(
        ObservabilityLayer::new().trust_incoming_trace(false),
        Propagation::new(),
    );
    untrusted_caller_gets_a_new_trace(a, b).await;
}

/// A's adapter hands the core every value of a header, as it came: two `traceparent` headers
/// are invalid (a new trace starts), a `tracestate` split over two headers is one list passed
/// on, and beside an invalid `traceparent` a `sentry-trace` is the parent. An invalid value
/// reaches no line.
async fn every_header_value_reaches_the_rules(a: SocketAddr, b: SocketAddr) {
    let client = reqwest::Client::new();
    let url = format!("http://{a}/call?to={}", echo_of(b));
    let (first_trace, first_parent) = caller_ids();
    let (second_trace, second_parent) = caller_ids();
    let first = format!("00-{first_trace}-{first_parent}-01");
    let second = format!("00-{second_trace}-{second_parent}-01");
    let send = |headers: Vec<(&'static str, String)>| {
        let id = format!("ingest-{}", uuid::Uuid::new_v4().simple());
        let mut request = client.get(&url).header("x-request-id", &id);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200);
            let lines = global_capture().lines();
            Hop::of(&lines, &id, "/call", "calling")
        }
    };

    let hop = send(vec![
        ("traceparent", first.clone()),
        ("traceparent", second),
    ])
    .await;
    assert_ne!(
        hop.trace_id, first_trace,
        "two traceparent headers are invalid"
    );
    assert_ne!(
        hop.trace_id, second_trace,
        "two traceparent headers are invalid"
    );
    assert_eq!(hop.trace_flags, "00");

    let hop = send(vec![
        ("traceparent", first),
        ("tracestate", "a=1,b=2".into()),
        ("tracestate", "c=3".into()),
    ])
    .await;
    assert_eq!(hop.trace_id, first_trace);
    assert_eq!(hop.received["tracestate"], "a=1,b=2,c=3", "one list");

    let upper = format!("00-{}-{first_parent}-01", first_trace.to_uppercase());
    let sentry_trace = format!("{second_trace}-{second_parent}-1");
    let hop = send(vec![
        ("traceparent", upper.clone()),
        ("sentry-trace", sentry_trace),
    ])
    .await;
    assert_eq!(hop.trace_id, second_trace, "the sentry-trace beside it");
    assert_eq!(hop.trace_flags, "01");
    let everything = serde_json::to_string(&global_capture().lines()).unwrap();
    assert!(
        !everything.contains(&upper),
        "an invalid value is never logged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tower_every_header_value_reaches_the_rules() {
    let a = trace_support::axum_service(ObservabilityLayer::new(), Propagation::new());
    every_header_value_reaches_the_rules(a, tower_b()).await;
}

/// A (its trust switch off) called with a valid `traceparent` at `/call?to=<B's echo>`.
async fn untrusted_caller_gets_a_new_trace(a: SocketAddr, b: SocketAddr) {
    let (caller_trace, caller_parent) = caller_ids();
    let id = format!("untrusted-{}", uuid::Uuid::new_v4().simple());
    let response = reqwest::Client::new()
        .get(format!("http://{a}/call?to={}", echo_of(b)))
        .header("x-request-id", &id)
        .header(
            "traceparent",
            format!("00-{caller_trace}-{caller_parent}-01"),
        )
        .header("tracestate", "vendor=opaque")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let hop = Hop::of(&global_capture().lines(), &id, "/call", "calling");
    assert_ne!(
        hop.trace_id, caller_trace,
        "the caller's trace is not continued"
    );
    assert_eq!(hop.trace_flags, "00", "nor its sampled flag");
    assert_eq!(
        hop.received["tracestate"],
        Value::Null,
        "nor its tracestate"
    );
    let everything = serde_json::to_string(&global_capture().lines_of(&id)).unwrap();
    assert!(!everything.contains(&caller_trace), "{everything}");
    assert!(!everything.contains(&caller_parent), "{everything}");
}

#[cfg(feature = "actix")]
mod actix {
    use super::*;
    use trace_support::support::ActixMiddleware;

    fn actix_b() -> SocketAddr {
        trace_support::actix_service(ActixMiddleware::new(), Propagation::new())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn actix_to_actix_one_trace_and_one_id_in_every_line() {
        let a = trace_support::actix_example(echo_of(actix_b()));
        one_trace_and_one_id_in_every_line_of_both(a).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn actix_to_tower_one_trace_and_one_id_in_every_line() {
        let a = trace_support::actix_example(echo_of(tower_b()));
        one_trace_and_one_id_in_every_line_of_both(a).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn tower_to_actix_one_trace_and_one_id_in_every_line() {
        let a = trace_support::axum_example(echo_of(actix_b()));
        one_trace_and_one_id_in_every_line_of_both(a).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn actix_no_bleeding_between_200_concurrent_requests() {
        let a = trace_support::actix_example(echo_of(actix_b()));
        no_trace_or_id_bleeds_between_200_concurrent_requests(a).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn actix_every_header_value_reaches_the_rules() {
        let a = trace_support::actix_service(ActixMiddleware::new(), Propagation::new());
        every_header_value_reaches_the_rules(a, actix_b()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn actix_trust_switch_off_starts_a_new_trace() {
        let b = actix_b();
        let a = trace_support::actix_service(
            ActixMiddleware::new().trust_incoming_trace(false),
            Propagation::new(),
        );
        untrusted_caller_gets_a_new_trace(a, b).await;
    }
}
