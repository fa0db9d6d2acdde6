//! The per-request trace contexts Sentry gets, over real HTTP, written once for every
//! [`Framework`]: each event (and, with tracing on, each transaction) is in its request's
//! trace, under the span id the request's log lines carry; a caller's `traceparent` or a
//! frontend's `sentry-trace` is continued; outgoing calls carry `sentry-trace` and `baggage`.

use std::time::Duration;

use http_observability::access_log;
use http_observability::outgoing::Propagation;
use serde_json::Value;

use super::app;
use super::receiver::tag;
use super::scenarios::{Framework, setup};
use super::support::{caller_ids, request_id};

/// A request's extra headers: (name, value) pairs.
type Headers<'a> = [(&'a str, &'a str)];

/// Sends a GET to `path` on `F`'s app with `headers`, returns (status, x-request-id).
async fn send<F: Framework>(path: &str, headers: &Headers<'_>) -> (u16, String) {
    // The Sentry client first: it binds to the hub of the first thread that uses one.
    setup();
    let mut request = reqwest::Client::new().get(format!("http://{}{path}", F::serve()));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the app answers");
    (response.status().as_u16(), request_id(&response))
}

/// The one event of a GET to `/error` with `headers`, and its request ID.
async fn error_event<F: Framework>(headers: &Headers<'_>) -> (Value, String) {
    let (status, id) = send::<F>("/error", headers).await;
    assert_eq!(status, 500);
    let mut events = setup().events_of(&id);
    assert_eq!(events.len(), 1, "{events:#?}");
    (events.remove(0), id)
}

/// The request's trace as its access line logged it: (`trace_id`, `span_id`, `trace_flags`).
pub fn logged_trace(id: &str) -> (String, String, String) {
    let lines = app::logs().lines_of(id);
    let access = lines
        .iter()
        .find(|line| line["target"] == access_log::TARGET)
        .unwrap_or_else(|| panic!("an access line for {id}: {lines:#?}"));
    let field = |name: &str| access[name].as_str().expect(name).to_owned();
    for line in &lines {
        assert_eq!(line["trace_id"], access["trace_id"], "{line}");
        assert_eq!(line["span_id"], access["span_id"], "{line}");
    }
    (field("trace_id"), field("span_id"), field("trace_flags"))
}

/// Checks that `item`'s `contexts.trace` is request `id`'s logged trace and span, with
/// `parent` as its parent span; returns the trace id.
fn assert_in_the_requests_trace(item: &Value, id: &str, parent: Option<&str>) -> String {
    let (trace_id, span_id, _) = logged_trace(id);
    let context = &item["contexts"]["trace"];
    assert_eq!(context["trace_id"], trace_id.as_str(), "{context}");
    assert_eq!(context["span_id"], span_id.as_str(), "{context}");
    match parent {
        Some(parent) => assert_eq!(context["parent_span_id"], parent, "{context}"),
        None => assert!(context["parent_span_id"].is_null(), "{context}"),
    }
    trace_id
}

/// Two `/error` requests without context: two events, each in its own request's new trace.
pub async fn no_two_requests_share_a_trace<F: Framework>() {
    let (first, first_id) = error_event::<F>(&[]).await;
    let (second, second_id) = error_event::<F>(&[]).await;
    let first_trace = assert_in_the_requests_trace(&first, &first_id, None);
    let second_trace = assert_in_the_requests_trace(&second, &second_id, None);
    assert_ne!(first_trace, second_trace);
    assert_ne!(
        first["contexts"]["trace"]["span_id"],
        second["contexts"]["trace"]["span_id"]
    );
}

/// A request that came with a `traceparent`: its event is in the caller's trace, the
/// caller's span its parent, the request's logged span its span.
pub async fn an_event_continues_the_callers_traceparent<F: Framework>() {
    let (trace, parent) = caller_ids();
    let traceparent = format!("00-{trace}-{parent}-01");
    let (event, id) = error_event::<F>(&[("traceparent", &traceparent)]).await;
    assert_eq!(
        assert_in_the_requests_trace(&event, &id, Some(&parent)),
        trace
    );
    assert_eq!(logged_trace(&id).2, "01");
}

/// A request that came with only a frontend's `sentry-trace`: its event lands in the
/// frontend's trace, under the frontend's span.
pub async fn a_sentry_trace_alone_lands_in_the_frontends_trace<F: Framework>() {
    let (trace, parent) = caller_ids();
    let sentry_trace = format!("{trace}-{parent}-1");
    let (event, id) = error_event::<F>(&[("sentry-trace", &sentry_trace)]).await;
    assert_eq!(
        assert_in_the_requests_trace(&event, &id, Some(&parent)),
        trace
    );
    assert_eq!(
        logged_trace(&id).2,
        "01",
        "the frontend's sampling decision"
    );
}

/// With Sentry tracing on (a sample rate of 1): the request's transaction is in the trace of
/// its event and its lines, under the same span, tagged with the request ID; continued from a
/// `traceparent` or a `sentry-trace` alike.
pub async fn the_transaction_shares_the_requests_trace<F: Framework>() {
    let (trace, parent) = caller_ids();
    let traceparent = format!("00-{trace}-{parent}-01");
    let sentry_trace = format!("{trace}-{parent}-1");
    let cases: [(&Headers, Option<&str>); 3] = [
        (&[], None),
        (&[("traceparent", &traceparent)], Some(&parent)),
        (&[("sentry-trace", &sentry_trace)], Some(&parent)),
    ];
    for (headers, parent) in cases {
        let (event, id) = error_event::<F>(headers).await;
        let trace_id = assert_in_the_requests_trace(&event, &id, parent);
        let receiver = setup().receiver.as_ref().unwrap();
        // Finished with the response; a flush sends it, the wait only bounds a slow machine.
        assert!(setup().flush());
        let transactions = receiver.items_for("transaction", &id, Duration::from_secs(10));
        assert_eq!(transactions.len(), 1, "{headers:?}: {transactions:#?}");
        let transaction = &transactions[0];
        assert_eq!(tag(transaction, "request_id"), Some(id.as_str()));
        assert_in_the_requests_trace(transaction, &id, parent);
        assert_eq!(transaction["transaction"], "GET /error");
        assert_eq!(logged_trace(&id).2, "01", "a rate of 1 samples new traces");
        if parent.is_some() {
            assert_eq!(trace_id, trace, "{headers:?}");
        }
    }
}

/// A call made inside a request, with Sentry on, carries `sentry-trace` (`<trace>-<span>-<0|1>`
/// of the request's logged trace and span) and a `baggage` with the same trace; with a
/// frontend's `sentry-trace` and `baggage` in, that baggage goes on. `sampled`: whether Sentry's
/// traces sample rate samples every new trace (1) or none (0).
pub async fn outgoing_calls_carry_sentry_trace_and_baggage<F: Framework>(sampled: bool) {
    setup();
    let response = reqwest::get(format!("http://{}/outgoing", F::serve()))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let id = request_id(&response);
    let headers: Value = response.json().await.unwrap();
    let (trace_id, span_id, flags) = logged_trace(&id);
    assert_eq!(flags, if sampled { "01" } else { "00" });
    let sampled = if sampled { "1" } else { "0" };
    assert_eq!(
        headers["sentry-trace"],
        format!("{trace_id}-{span_id}-{sampled}").as_str()
    );
    assert_eq!(
        headers["traceparent"],
        format!("00-{trace_id}-{span_id}-{flags}").as_str()
    );
    assert_eq!(headers["x-request-id"], id.as_str());
    let baggage = headers["baggage"].as_str().expect("a baggage header");
    let members: Vec<&str> = baggage.split(',').collect();
    assert!(
        members.contains(&format!("sentry-trace_id={trace_id}").as_str()),
        "{baggage}"
    );
    let sampled_member = format!("sentry-sampled={}", sampled == "1");
    assert!(members.contains(&sampled_member.as_str()), "{baggage}");
    assert!(
        members.contains(&"sentry-environment=test-env"),
        "{baggage}"
    );

    // A frontend's trace and baggage: continued, and passed on.
    let (trace, parent) = caller_ids();
    let frontend = format!("sentry-trace_id={trace},sentry-sample_rate=1,sentry-sampled=true");
    let sentry_trace = format!("{trace}-{parent}-1");
    let response = reqwest::Client::new()
        .get(format!("http://{}/outgoing", F::serve()))
        .header("sentry-trace", &sentry_trace)
        .header("baggage", &frontend)
        .send()
        .await
        .unwrap();
    let id = request_id(&response);
    let headers: Value = response.json().await.unwrap();
    let (_, span_id, _) = logged_trace(&id);
    assert_eq!(
        headers["sentry-trace"],
        format!("{trace}-{span_id}-1").as_str()
    );
    assert_eq!(headers["baggage"], frontend.as_str());
}

/// With Sentry tracing on, a caller's decision not to sample is kept: no transaction.
pub async fn an_unsampled_caller_gets_no_transaction<F: Framework>() {
    let (trace, parent) = caller_ids();
    let traceparent = format!("00-{trace}-{parent}-00");
    let (event, id) = error_event::<F>(&[("traceparent", &traceparent)]).await;
    assert_eq!(
        assert_in_the_requests_trace(&event, &id, Some(&parent)),
        trace
    );
    assert_eq!(logged_trace(&id).2, "00");
    // The transaction would have been queued before the answer; the flush sent what was.
    assert!(setup().flush());
    let receiver = setup().receiver.as_ref().unwrap();
    let transactions = receiver.items_for("transaction", &id, Duration::ZERO);
    assert!(transactions.is_empty(), "{transactions:#?}");
}

/// Outside any request, with Sentry on: `sentry-trace` and `traceparent` name one fresh trace,
/// a new one for every call; a URL that is not a target gets neither, nor `baggage`.
pub fn outside_a_request_both_headers_name_one_fresh_trace() {
    setup();
    let propagation = Propagation::new().targets(["api.internal"]);
    let mut headers = http::HeaderMap::new();
    propagation.inject_for("https://api.example.com/charge", &mut headers);
    assert!(headers.is_empty(), "{headers:?}");
    propagation.inject_for("https://api.internal/charge", &mut headers);
    for name in ["traceparent", "sentry-trace", "baggage"] {
        assert!(headers.contains_key(name), "{name}: {headers:?}");
    }

    let mut seen = Vec::new();
    for _ in 0..2 {
        let headers = app::outgoing_headers();
        assert!(headers.get("x-request-id").is_none(), "{headers}");
        let traceparent = headers["traceparent"].as_str().expect("a traceparent");
        let sentry_trace = headers["sentry-trace"].as_str().expect("a sentry-trace");
        let parts: Vec<&str> = sentry_trace.split('-').collect();
        let [trace, span, "0"] = parts[..] else {
            panic!("an unsampled sentry-trace: {sentry_trace}")
        };
        assert_eq!(traceparent, format!("00-{trace}-{span}-00"));
        assert!(!seen.contains(&trace.to_owned()), "{trace} reused");
        seen.push(trace.to_owned());
    }
}

/// Every way a request can fail is one event in the request's trace: a panic, a 5xx without
/// any log, two ERRORs.
pub async fn every_kind_of_event_is_in_the_requests_trace<F: Framework>() {
    let (trace, parent) = caller_ids();
    let traceparent = format!("00-{trace}-{parent}-00");
    for (path, status) in [("/panic", 500), ("/unavailable", 503), ("/twice", 500)] {
        let (answered, id) = send::<F>(path, &[("traceparent", &traceparent)]).await;
        assert_eq!(answered, status, "{path}");
        let events = setup().events_of(&id);
        assert_eq!(events.len(), 1, "{path}: {events:#?}");
        assert_eq!(
            assert_in_the_requests_trace(&events[0], &id, Some(&parent)),
            trace,
            "{path}"
        );
    }
}

/// 20 concurrent failing requests, each with its own `traceparent`: each event is in its own
/// request's trace, none in another's.
pub async fn concurrent_events_keep_their_own_trace<F: Framework>() {
    setup();
    // 20: the transport's queue holds 30 envelopes and drops what overflows it, and another
    // test of the process may be sending meanwhile.
    let callers: Vec<(String, String)> = (0..20).map(|_| caller_ids()).collect();
    let mut requests = tokio::task::JoinSet::new();
    for (trace, parent) in callers {
        requests.spawn(async move {
            let traceparent = format!("00-{trace}-{parent}-01");
            let (status, id) = send::<F>("/error", &[("traceparent", &traceparent)]).await;
            assert_eq!(status, 500);
            (id, trace, parent)
        });
    }
    let mut seen = Vec::new();
    while let Some(done) = requests.join_next().await {
        seen.push(done.expect("every request is answered"));
    }
    assert!(setup().flush());
    let receiver = setup().receiver.as_ref().unwrap();
    for (id, trace, parent) in &seen {
        let events = receiver.events_for(id, Duration::ZERO);
        assert_eq!(events.len(), 1, "{id}: {events:#?}");
        let found = assert_in_the_requests_trace(&events[0], id, Some(parent));
        assert_eq!(&found, trace, "{id}");
    }
}

/// A `sentry-trace` without a sampling decision leaves it to us: Sentry's traces sample rate
/// decides (`sampled`: whether the process's rate samples every trace or none), and the trace
/// is the frontend's either way.
pub async fn an_open_sampling_decision_follows_the_sample_rate<F: Framework>(sampled: bool) {
    let (trace, parent) = caller_ids();
    let sentry_trace = format!("{trace}-{parent}");
    let (event, id) = error_event::<F>(&[("sentry-trace", &sentry_trace)]).await;
    assert_eq!(
        assert_in_the_requests_trace(&event, &id, Some(&parent)),
        trace
    );
    assert_eq!(logged_trace(&id).2, if sampled { "01" } else { "00" });
}
