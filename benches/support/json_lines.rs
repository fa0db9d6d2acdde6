//! The lines the JSON benches write: the json_format event, and the access record inside a
//! traced request, shared by `json_format` and `json_profile`, and the layer of a deployed
//! service that writes them.

use http_observability::json::{JsonLayer, LogProfile};
use tracing::Dispatch;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::{Registry, filter::LevelFilter, layer::SubscriberExt};

/// Our JSON layer on `writer` under `profile`, with the facts of a deployed service
/// (`service`, `release`, `environment`, a Google Cloud project).
pub fn deployed<W>(writer: W, profile: LogProfile) -> Dispatch
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    Dispatch::new(
        Registry::default().with(LevelFilter::INFO).with(
            JsonLayer::new(writer)
                .service("docs-api")
                .release("4f1c2d9")
                .environment("production")
                .gcp_project("my-project")
                .profile(profile),
        ),
    )
}

/// The json_format bench's event.
pub fn event() {
    tracing::info!(
        user_id = 42,
        path = "/api/docs",
        latency_ms = 12.5,
        "request finished"
    );
}

/// Runs `f` inside a traced `request{request_id, method, trace_id, span_id, trace_flags}` >
/// `handler{doc_id}`, as a request's lines are.
pub fn in_traced_spans(f: impl FnOnce()) {
    let request = tracing::error_span!(
        "request",
        request_id = "0192f1c4-7d3e-7a2b-9c1d-5e6f7a8b9c0d",
        method = "GET",
        trace_id = "4bf92f3577b34da6a3ce929d0e0e4736",
        span_id = "00f067aa0ba902b7",
        trace_flags = "01",
    );
    let _request = request.enter();
    let handler = tracing::info_span!("handler", doc_id = 7);
    let _handler = handler.enter();
    f();
}

/// The access record as the lifecycle emits it.
pub fn access_event() {
    tracing::info!(
        target: "http_observability::access",
        request_id = "0192f1c4-7d3e-7a2b-9c1d-5e6f7a8b9c0d",
        http.request.method = "GET",
        url.path = "/api/docs",
        http.route = "/api/docs",
        http.response.status_code = 200u16,
        http.response.body.size = 512u64,
        latency_ms = 0.42,
        "request completed"
    );
}
