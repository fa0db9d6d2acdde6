//! The tower layer driven with `oneshot`, logs captured per test (thread-local subscriber).

mod support;

use std::convert::Infallible;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll};

use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderValue, Request, StatusCode};
use axum::routing::get;
use http::HeaderName;
use http_body_util::BodyExt;
use http_observability::layer::SetRequestIdLayer;
use http_observability::request_id::{self, Rejection, RequestHeaders};
use http_observability::{ObservabilityLayer, RequestId};
use serde_json::Value;
use support::Capture;
use tower::{Layer, Service, ServiceExt};

fn routes() -> Router {
    Router::new()
        .route(
            "/ok",
            get(|| async {
                tracing::info!("inside handler");
                "ok"
            }),
        )
        .route(
            "/users/{id}",
            get(|id: RequestId, Path(user): Path<u32>| async move { format!("{id} {user}") }),
        )
        .route("/panic", get(panicking_handler))
        .route(
            "/unavailable",
            get(|| async { StatusCode::SERVICE_UNAVAILABLE }),
        )
        .route(
            "/current",
            get(|| async {
                let id = request_id::current().map(|id| id.to_string());
                id.unwrap_or_default()
            }),
        )
}

async fn panicking_handler() -> &'static str {
    panic!("boom at the handler")
}

fn app() -> Router {
    routes().layer(ObservabilityLayer::new())
}

struct Outcome {
    status: StatusCode,
    header: Option<String>,
    body: String,
    capture: Capture,
}

async fn send(app: Router, request: Request<Body>) -> Outcome {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(support::subscriber(capture.clone()));
    let response = app.oneshot(request).await.unwrap();
    let status = response.status();
    let header = response
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Outcome {
        status,
        header,
        body: String::from_utf8(body.to_vec()).unwrap(),
        capture,
    }
}

fn get_with_id(uri: &str, id: HeaderValue) -> Request<Body> {
    Request::get(uri)
        .header("x-request-id", id)
        .body(Body::empty())
        .unwrap()
}

fn is_uuid_v7(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok_and(|u| u.get_version_num() == 7)
}

#[tokio::test]
async fn a_valid_incoming_id_is_echoed_and_given_to_the_handler() {
    let out = send(
        app(),
        get_with_id("/users/7", HeaderValue::from_static("abc-123")),
    )
    .await;
    assert_eq!(out.status, StatusCode::OK);
    assert_eq!(out.header.as_deref(), Some("abc-123"));
    assert_eq!(out.body, "abc-123 7");
}

#[tokio::test]
async fn an_id_is_generated_when_absent() {
    let out = send(app(), Request::get("/ok").body(Body::empty()).unwrap()).await;
    let id = out.header.unwrap();
    assert!(is_uuid_v7(&id), "{id}");
    let handler_line = out
        .capture
        .lines()
        .into_iter()
        .find(|l| l["message"] == "inside handler")
        .unwrap();
    assert_eq!(handler_line["request_id"], id.as_str());
}

#[tokio::test]
async fn hostile_ids_are_replaced_and_the_refusal_logged_without_the_value() {
    let long = "x".repeat(129);
    let cases: Vec<(Vec<HeaderValue>, Rejection)> = vec![
        (
            vec![HeaderValue::from_str(&long).unwrap()],
            Rejection::TooLong,
        ),
        (
            vec![HeaderValue::from_static("has space")],
            Rejection::ForbiddenCharacter,
        ),
        (
            vec![HeaderValue::from_static("quo\"te")],
            Rejection::ForbiddenCharacter,
        ),
        (
            vec![HeaderValue::from_static("semi;colon")],
            Rejection::ForbiddenCharacter,
        ),
        (
            vec![HeaderValue::from_static("tab\tbed")],
            Rejection::ControlCharacter,
        ),
        (
            vec![HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap()],
            Rejection::NonAscii,
        ),
        (vec![HeaderValue::from_static("")], Rejection::Empty),
        (
            vec![
                HeaderValue::from_static("one"),
                HeaderValue::from_static("two"),
            ],
            Rejection::MultipleValues,
        ),
    ];
    for (values, rejection) in cases {
        let mut request = Request::get("/ok").body(Body::empty()).unwrap();
        for v in &values {
            request.headers_mut().append("x-request-id", v.clone());
        }
        let out = send(app(), request).await;
        let id = out.header.unwrap();
        assert!(is_uuid_v7(&id), "{rejection:?}: {id}");
        let lines = out.capture.lines();
        let warn: Vec<&Value> = lines.iter().filter(|l| l["level"] == "WARN").collect();
        assert_eq!(warn.len(), 1, "{rejection:?}: {lines:?}");
        assert_eq!(warn[0]["reason"], rejection.as_str());
        let expected_len: usize = values.iter().map(HeaderValue::len).sum();
        assert_eq!(warn[0]["length"], expected_len);
        assert_eq!(warn[0]["request_id"], id.as_str());
        let raw = serde_json::to_string(&lines).unwrap();
        for v in &values {
            let v = String::from_utf8_lossy(v.as_bytes());
            if v.len() > 3 {
                assert!(
                    !raw.contains(v.as_ref()),
                    "{rejection:?}: value echoed in {raw}"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_panicking_handler_gets_a_500_with_the_id() {
    let out = send(
        app(),
        get_with_id("/panic", HeaderValue::from_static("panic-1")),
    )
    .await;
    assert_eq!(out.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(out.header.as_deref(), Some("panic-1"));
    let body: Value = serde_json::from_str(&out.body).unwrap();
    assert_eq!(body["request_id"], "panic-1");
    assert_eq!(body["error"], "internal server error");

    let lines = out.capture.lines();
    let panic_line = lines
        .iter()
        .find(|l| l["message"] == "request handler panicked")
        .unwrap();
    assert_eq!(panic_line["level"], "ERROR");
    assert_eq!(panic_line["panic.message"], "boom at the handler");
    assert_eq!(panic_line["request_id"], "panic-1");
    let access = out.capture.access_events();
    assert_eq!(access.len(), 1);
    assert_eq!(access[0]["level"], "ERROR");
    assert_eq!(access[0]["http.response.status_code"], 500);
}

#[tokio::test]
async fn exactly_one_access_event_with_every_field() {
    let request = Request::post("/users/42?token=canary-secret&x=1")
        .header("x-request-id", "acc-1")
        .header("authorization", "Bearer canary-secret")
        .header("cookie", "session=canary-secret")
        .body(Body::empty())
        .unwrap();
    let out = send(app(), request).await;
    assert_eq!(out.status, StatusCode::METHOD_NOT_ALLOWED);
    let access = out.capture.access_events();
    assert_eq!(access.len(), 1, "{access:?}");
    let event = &access[0];
    assert_eq!(event["level"], "INFO");
    assert_eq!(event["message"], "request completed");
    assert_eq!(event["request_id"], "acc-1");
    assert_eq!(event["http.request.method"], "POST");
    assert_eq!(event["url.path"], "/users/42");
    assert_eq!(event["http.route"], "/users/{id}");
    assert_eq!(event["http.response.status_code"], 405);
    assert!(event["latency_ms"].as_f64().unwrap() >= 0.0);

    let raw = serde_json::to_string(&out.capture.lines()).unwrap();
    assert!(!raw.contains("canary-secret"), "{raw}");
    assert!(!raw.contains("token="), "{raw}");
}

#[tokio::test]
async fn server_errors_are_logged_at_error() {
    let out = send(
        app(),
        get_with_id("/unavailable", HeaderValue::from_static("u-1")),
    )
    .await;
    assert_eq!(out.status, StatusCode::SERVICE_UNAVAILABLE);
    let access = out.capture.access_events();
    assert_eq!(access.len(), 1);
    assert_eq!(access[0]["level"], "ERROR");
    assert_eq!(access[0]["http.response.status_code"], 503);
}

#[tokio::test]
async fn an_unmatched_path_has_no_route_not_the_raw_path() {
    let out = send(
        app(),
        get_with_id("/nope/123", HeaderValue::from_static("nf-1")),
    )
    .await;
    assert_eq!(out.status, StatusCode::NOT_FOUND);
    assert_eq!(out.header.as_deref(), Some("nf-1"));
    let access = out.capture.access_events();
    assert_eq!(access.len(), 1);
    assert_eq!(access[0]["url.path"], "/nope/123");
    assert!(access[0].get("http.route").is_none(), "{:?}", access[0]);
}

#[tokio::test]
async fn current_finds_the_id_inside_the_handler() {
    let out = send(
        app(),
        get_with_id("/current", HeaderValue::from_static("cur-9")),
    )
    .await;
    assert_eq!(out.body, "cur-9");
}

#[tokio::test]
async fn incoming_ids_can_be_ignored() {
    let app = routes().layer(ObservabilityLayer::new().trust_incoming(false));
    let out = send(
        app,
        get_with_id("/ok", HeaderValue::from_static("client-chosen")),
    )
    .await;
    let id = out.header.unwrap();
    assert!(is_uuid_v7(&id));
    assert!(out.capture.lines().iter().all(|l| l["level"] != "WARN"));
}

#[tokio::test]
async fn header_name_and_generator_are_configurable() {
    let layer = ObservabilityLayer::new()
        .header(HeaderName::from_static("x-correlation-id"))
        .make_request_id(|_: &RequestHeaders<'_>| RequestId::parse("made-here").unwrap());
    let out = send(
        routes().layer(layer.clone()),
        Request::get("/current").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(out.body, "made-here");

    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(support::subscriber(capture));
    let request = Request::get("/current")
        .header("x-correlation-id", "kept-1")
        .body(Body::empty())
        .unwrap();
    let response = routes().layer(layer).oneshot(request).await.unwrap();
    assert_eq!(response.headers()["x-correlation-id"], "kept-1");
    assert!(response.headers().get("x-request-id").is_none());
}

#[tokio::test]
async fn uuid_v4_is_selectable() {
    let app = routes().layer(ObservabilityLayer::new().uuid_v4());
    let out = send(app, Request::get("/ok").body(Body::empty()).unwrap()).await;
    let id = uuid::Uuid::parse_str(&out.header.unwrap()).unwrap();
    assert_eq!(id.get_version_num(), 4);
}

#[tokio::test]
async fn the_id_is_in_request_and_response_extensions() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(support::subscriber(capture));
    let inner = tower::service_fn(|req: Request<Body>| async move {
        let id = req.extensions().get::<RequestId>().cloned();
        let header = req.headers().get("x-request-id").cloned();
        assert_eq!(id.as_ref().map(|i| i.header_value()), header.as_ref());
        Ok::<_, Infallible>(http::Response::new(Body::from(id.unwrap().to_string())))
    });
    let service = ObservabilityLayer::new().layer(inner);
    let response = service
        .clone()
        .oneshot(get_with_id("/", HeaderValue::from_static("ext-1")))
        .await
        .unwrap();
    assert_eq!(response.extensions().get::<RequestId>().unwrap(), "ext-1");
    assert_eq!(response.headers()["x-request-id"], "ext-1");

    // A refused ID is replaced in the request too: the handler sees only the new one, in the
    // header and in the extensions alike (checked inside `inner`), and absent it is added.
    for request in [
        get_with_id("/", HeaderValue::from_static("bad id")),
        Request::get("/").body(Body::empty()).unwrap(),
    ] {
        let response = service.clone().oneshot(request).await.unwrap();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert!(is_uuid_v7(std::str::from_utf8(&body).unwrap()));
    }
}

#[tokio::test]
async fn a_service_error_is_logged_as_failed_and_passed_through() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(support::subscriber(capture.clone()));
    let inner = tower::service_fn(|_req: Request<Body>| async {
        Err::<http::Response<Body>, _>(std::io::Error::other("backend down"))
    });
    let service = ObservabilityLayer::new().layer(inner);
    let error = service
        .oneshot(get_with_id("/x", HeaderValue::from_static("err-1")))
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "backend down");
    let access = capture.access_events();
    assert_eq!(access.len(), 1);
    assert_eq!(access[0]["message"], "request failed");
    assert_eq!(access[0]["level"], "ERROR");
    assert_eq!(access[0]["request_id"], "err-1");
    assert!(access[0].get("http.response.status_code").is_none());
}

#[tokio::test]
async fn a_request_dropped_before_its_response_is_logged_once_as_cancelled() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(support::subscriber(capture.clone()));
    let inner = tower::service_fn(|_req: Request<Body>| {
        std::future::pending::<Result<http::Response<Body>, Infallible>>()
    });
    let mut service = ObservabilityLayer::new().layer(inner);
    let future = service.call(get_with_id("/slow", HeaderValue::from_static("gone-1")));
    {
        let mut future = pin!(future);
        let waker = std::task::Waker::noop();
        assert!(
            future
                .as_mut()
                .poll(&mut Context::from_waker(waker))
                .is_pending()
        );
    }
    let access = capture.access_events();
    assert_eq!(access.len(), 1);
    assert_eq!(access[0]["message"], "request cancelled before a response");
    assert_eq!(access[0]["request_id"], "gone-1");
}

#[tokio::test]
async fn a_panic_while_calling_the_service_is_caught_too() {
    #[derive(Clone)]
    struct PanicsInCall;
    impl Service<Request<Body>> for PanicsInCall {
        type Response = http::Response<Body>;
        type Error = Infallible;
        type Future = std::future::Ready<Result<Self::Response, Infallible>>;
        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }
        fn call(&mut self, _: Request<Body>) -> Self::Future {
            panic!("sync panic")
        }
    }
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(support::subscriber(capture.clone()));
    let response = ObservabilityLayer::new()
        .layer(PanicsInCall)
        .oneshot(get_with_id("/", HeaderValue::from_static("sync-1")))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.headers()["x-request-id"], "sync-1");
    // The access event comes when the body ends.
    response.into_body().collect().await.unwrap();
    assert_eq!(capture.access_events().len(), 1);
}

#[tokio::test]
async fn set_request_id_alone_sets_the_header_without_logging() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(support::subscriber(capture.clone()));
    let app = routes().layer(SetRequestIdLayer::new());
    let response = app
        .clone()
        .oneshot(get_with_id("/users/1", HeaderValue::from_static("only-id")))
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "only-id");
    let response = app
        .oneshot(get_with_id("/users/1", HeaderValue::from_static("bad id")))
        .await
        .unwrap();
    assert!(is_uuid_v7(
        response.headers()["x-request-id"].to_str().unwrap()
    ));
    assert!(capture.access_events().is_empty());
}

#[test]
fn layers_and_services_are_send_sync_clone() {
    fn assert_all<T: Send + Sync + Clone + 'static>() {}
    assert_all::<ObservabilityLayer>();
    assert_all::<http_observability::Observability<Router>>();
    assert_all::<SetRequestIdLayer>();
    assert_all::<http_observability::layer::SetRequestId<Router>>();
    assert_all::<RequestId>();
    fn assert_send<T: Send>() {}
    assert_send::<
        http_observability::layer::ResponseFuture<axum::routing::future::RouteFuture<Infallible>>,
    >();
}

#[tokio::test]
async fn a_warn_only_filter_still_gives_handler_lines_their_request_id() {
    use tracing_subscriber::layer::SubscriberExt;
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_subscriber::filter::LevelFilter::WARN)
        .with(http_observability::json::JsonLayer::new(capture.clone()));
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = Router::new()
        .route(
            "/warn",
            get(|| async {
                tracing::warn!("disk almost full");
                "ok"
            }),
        )
        .layer(ObservabilityLayer::new());
    let response = app
        .oneshot(get_with_id("/warn", HeaderValue::from_static("warn-1")))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let lines = capture.lines();
    assert_eq!(
        lines.len(),
        1,
        "the INFO access line is filtered out: {lines:?}"
    );
    assert_eq!(lines[0]["message"], "disk almost full");
    assert_eq!(lines[0]["request_id"], "warn-1");
    assert_eq!(lines[0]["http.route"], "/warn");
}

/// A body that logs one line for each chunk it yields, as a streaming handler would.
struct LoggingBody(u8);

impl http_body::Body for LoggingBody {
    type Data = bytes::Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        if self.0 == 0 {
            return Poll::Ready(None);
        }
        self.0 -= 1;
        tracing::info!(left = self.0, "streaming a chunk");
        Poll::Ready(Some(Ok(http_body::Frame::data(bytes::Bytes::from_static(
            b"x",
        )))))
    }
}

#[tokio::test]
async fn events_logged_while_the_body_streams_carry_the_request_id() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(support::subscriber(capture.clone()));
    let inner = tower::service_fn(|_req: Request<Body>| async {
        Ok::<_, Infallible>(http::Response::new(LoggingBody(3)))
    });
    let response = ObservabilityLayer::new()
        .layer(inner)
        .oneshot(get_with_id("/", HeaderValue::from_static("stream-1")))
        .await
        .unwrap();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], b"xxx");
    let chunks: Vec<_> = capture
        .lines()
        .into_iter()
        .filter(|line| line["message"] == "streaming a chunk")
        .collect();
    assert_eq!(chunks.len(), 3, "{chunks:?}");
    for line in &chunks {
        assert_eq!(line["request_id"], "stream-1", "{line}");
    }
}

/// A body of `chunks` one-byte chunks, then an error if `fails`.
struct Chunked {
    chunks: u8,
    fails: bool,
}

impl http_body::Body for Chunked {
    type Data = bytes::Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        if self.chunks == 0 {
            return Poll::Ready(
                self.fails
                    .then(|| Err(std::io::Error::other("the body's source broke"))),
            );
        }
        self.chunks -= 1;
        Poll::Ready(Some(Ok(http_body::Frame::data(bytes::Bytes::from_static(
            b"ab",
        )))))
    }
}

/// The body of the layer's response to a request `id` answered `Chunked { chunks, fails }`,
/// with the logs captured while the guard lives.
async fn streamed(
    chunks: u8,
    fails: bool,
    id: &'static str,
) -> (
    Capture,
    tracing::subscriber::DefaultGuard,
    http_observability::layer::ResponseBody<Chunked>,
) {
    let capture = Capture::default();
    let guard = tracing::subscriber::set_default(support::subscriber(capture.clone()));
    let inner = tower::service_fn(move |_req: Request<Body>| async move {
        Ok::<_, Infallible>(http::Response::new(Chunked { chunks, fails }))
    });
    let response = ObservabilityLayer::new()
        .layer(inner)
        .oneshot(get_with_id("/", HeaderValue::from_static(id)))
        .await
        .unwrap();
    (capture, guard, response.into_body())
}

#[tokio::test]
async fn the_access_event_comes_when_the_body_ends_with_its_size() {
    let (capture, _guard, mut body) = streamed(3, false, "full-1").await;
    assert!(
        capture.access_events().is_empty(),
        "not at the response head"
    );
    body.frame().await.unwrap().unwrap();
    assert!(capture.access_events().is_empty(), "not before the end");
    let rest = body.collect().await.unwrap().to_bytes();
    assert_eq!(&rest[..], b"abab");
    let access = capture.access_events();
    assert_eq!(access.len(), 1, "{access:?}");
    let event = &access[0];
    assert_eq!(event["message"], "request completed");
    assert_eq!(event["level"], "INFO");
    assert_eq!(event["http.response.status_code"], 200);
    assert_eq!(event["http.response.body.size"], 6);
    assert!(event.get("end_reason").is_none(), "{event}");
    assert!(event["latency_ms"].as_f64().unwrap() >= 0.0, "{event}");
    assert!(
        event.get("head_latency_ms").is_none(),
        "a body that never waited ends with its head: {event}"
    );
}

#[tokio::test]
async fn a_body_dropped_mid_stream_is_logged_once_as_client_gone() {
    let (capture, _guard, mut body) = streamed(3, false, "gone-2").await;
    body.frame().await.unwrap().unwrap();
    drop(body);
    let access = capture.access_events();
    assert_eq!(access.len(), 1, "{access:?}");
    let event = &access[0];
    assert_eq!(event["end_reason"], "client_gone");
    assert_eq!(event["level"], "INFO");
    assert_eq!(event["http.response.status_code"], 200);
    assert_eq!(event["http.response.body.size"], 2);
}

#[tokio::test]
async fn a_failing_body_is_logged_once_at_error() {
    let (capture, _guard, body) = streamed(1, true, "broken-1").await;
    let error = body.collect().await.unwrap_err();
    assert_eq!(error.to_string(), "the body's source broke");
    let access = capture.access_events();
    assert_eq!(access.len(), 1, "{access:?}");
    support::assert_body_failed(&access[0], 2);
    assert_eq!(access[0]["request_id"], "broken-1");
}

#[tokio::test]
async fn an_empty_body_never_polled_is_complete() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(support::subscriber(capture.clone()));
    let app = Router::new()
        .route("/empty", get(|| async { StatusCode::NO_CONTENT }))
        .layer(ObservabilityLayer::new());
    let response = app
        .oneshot(get_with_id("/empty", HeaderValue::from_static("empty-1")))
        .await
        .unwrap();
    drop(response);
    let access = capture.access_events();
    assert_eq!(access.len(), 1, "{access:?}");
    assert!(access[0].get("end_reason").is_none(), "{:?}", access[0]);
    assert_eq!(access[0]["http.response.body.size"], 0);
}

/// Routes for the level hook: a probe that fails on demand, and a handler line on each.
fn probed() -> Router {
    Router::new()
        .route(
            "/health",
            get(|request: Request<Body>| async move {
                tracing::info!("health checked");
                if request.uri().query() == Some("fail") {
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::OK
                }
            }),
        )
        .route("/users/{id}", get(|| async { StatusCode::NOT_FOUND }))
}

#[tokio::test]
async fn the_level_hook_warns_on_4xx_and_silences_a_route_but_not_its_5xx() {
    use http_observability::access_level::AccessLevels;
    let layer = ObservabilityLayer::new().access_level(
        AccessLevels::new()
            .client_errors(tracing::Level::WARN)
            .silence("/health"),
    );
    let out = send(
        probed().layer(layer.clone()),
        get_with_id("/health", HeaderValue::from_static("probe-1")),
    )
    .await;
    assert_eq!(out.status, StatusCode::OK);
    assert!(out.capture.access_events().is_empty());
    let lines = out.capture.lines_of("probe-1");
    assert_eq!(lines.len(), 1, "the handler's line stays: {lines:?}");
    assert_eq!(lines[0]["message"], "health checked");

    let out = send(
        probed().layer(layer.clone()),
        get_with_id("/health?fail", HeaderValue::from_static("probe-2")),
    )
    .await;
    let access = out.capture.access_events();
    assert_eq!(access.len(), 1, "a 5xx is never silenced by default");
    assert_eq!(access[0]["level"], "ERROR");

    let out = send(
        probed().layer(layer),
        get_with_id("/users/7", HeaderValue::from_static("missing-7")),
    )
    .await;
    let access = out.capture.access_events();
    assert_eq!(access.len(), 1);
    assert_eq!(access[0]["level"], "WARN");
    assert_eq!(access[0]["http.response.status_code"], 404);

    // A closure is a hook too.
    let quiet = |_status: StatusCode, _route: Option<&str>| None;
    let out = send(
        probed().layer(ObservabilityLayer::new().access_level(quiet)),
        get_with_id("/users/7", HeaderValue::from_static("quiet-1")),
    )
    .await;
    assert!(out.capture.access_events().is_empty());
}

#[tokio::test]
async fn the_path_can_be_left_out_the_route_stays() {
    let out = send(
        probed().layer(ObservabilityLayer::new().log_path(false)),
        get_with_id("/users/secret-token", HeaderValue::from_static("priv-1")),
    )
    .await;
    let access = out.capture.access_events();
    assert_eq!(access.len(), 1);
    assert!(access[0].get("url.path").is_none(), "{:?}", access[0]);
    assert_eq!(access[0]["http.route"], "/users/{id}");
    let raw = serde_json::to_string(&out.capture.lines()).unwrap();
    assert!(!raw.contains("secret-token"), "{raw}");
}
