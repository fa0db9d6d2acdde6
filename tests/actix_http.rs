//! The actix-web example's app and the middleware over real HTTP on 127.0.0.1, logs captured
//! from a global subscriber (so this file is its own process).

#![cfg(feature = "actix")]

mod support;

#[allow(dead_code)]
#[path = "../examples/actix.rs"]
mod example;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::{HttpResponse, HttpServer, web};
use bytes::Bytes;
use http_observability::{RequestId, request_id};
use serde_json::{Value, json};
use support::{ActixMiddleware, Capture, contract, request_id};

fn capture() -> &'static Capture {
    support::global_capture()
}

/// Serves the example's app, plus test-only routes, on two workers.
fn serve() -> SocketAddr {
    capture();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let docs = web::Data::new(example::Docs::default());
    // Nothing listens on port 9 (discard): `/fanout` answers 502.
    let downstream = example::common::Downstream::new("http://127.0.0.1:9/health".into());
    let downstream = web::Data::new(downstream.unwrap());
    let server = HttpServer::new(move || {
        example::app(docs.clone(), downstream.clone())
            .route("/whoami", web::get().to(whoami))
            .route("/logging-stream", web::get().to(stream))
            .route("/failing-stream", web::get().to(failing_stream))
            .service(
                web::resource("/denied/{user}")
                    .wrap_fn(|_request, _service| async {
                        Err::<ServiceResponse<BoxBody>, _>(actix_web::error::ErrorForbidden(
                            "denied by an inner middleware",
                        ))
                    })
                    .route(web::get().to(HttpResponse::Ok)),
            )
    })
    .workers(2)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    actix_web::rt::spawn(server);
    addr
}

/// Logs before and after yielding, and answers with both the extracted ID and `current()`.
async fn whoami(id: RequestId) -> HttpResponse {
    tracing::info!(expected = id.as_str(), "before yield");
    actix_web::rt::task::yield_now().await;
    tracing::info!(expected = id.as_str(), "after yield");
    let current = request_id::current().map(|id| id.to_string());
    HttpResponse::Ok().json(json!({ "extracted": id.as_str(), "current": current }))
}

/// A body that logs each chunk it yields, to show it streams inside the request's span, or
/// fails after its chunks.
struct LoggingBody {
    chunks: u8,
    fails: bool,
}

impl MessageBody for LoggingBody {
    type Error = std::io::Error;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        if self.chunks == 0 {
            let error = || std::io::Error::other("the body's source broke");
            return Poll::Ready(self.fails.then(|| Err(error())));
        }
        self.chunks -= 1;
        if !self.fails {
            // Only the streaming test's body logs, so that its lines are all its own.
            tracing::info!(chunk = self.chunks, "chunk sent");
        }
        Poll::Ready(Some(Ok(Bytes::from_static(b"chunk\n"))))
    }
}

async fn stream() -> HttpResponse {
    HttpResponse::Ok().body(LoggingBody {
        chunks: 3,
        fails: false,
    })
}

async fn failing_stream() -> HttpResponse {
    HttpResponse::Ok().body(LoggingBody {
        chunks: 1,
        fails: true,
    })
}

/// Serves probes behind a middleware with 4xx at WARN, `/health` silenced and no `url.path`.
fn serve_quiet() -> SocketAddr {
    use http_observability::access_level::AccessLevels;
    capture();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = HttpServer::new(move || {
        let middleware = ActixMiddleware::new()
            .access_level(
                AccessLevels::new()
                    .client_errors(tracing::Level::WARN)
                    .silence("/health"),
            )
            .log_path(false);
        actix_web::App::new()
            .route(
                "/health",
                web::get().to(|request: actix_web::HttpRequest| async move {
                    tracing::info!("health checked");
                    if request.query_string() == "fail" {
                        HttpResponse::ServiceUnavailable().finish()
                    } else {
                        HttpResponse::Ok().finish()
                    }
                }),
            )
            .route("/users/{id}", web::get().to(HttpResponse::NotFound))
            .wrap(middleware)
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    actix_web::rt::spawn(server);
    addr
}

fn access_events_of(id: &str) -> Vec<Value> {
    capture()
        .access_events()
        .into_iter()
        .filter(|l| l["request_id"] == id)
        .collect()
}

#[test]
fn the_middleware_is_send_sync_and_clone() {
    fn assert<T: Send + Sync + Clone + 'static>() {}
    assert::<ActixMiddleware>();
}

#[actix_web::test]
async fn incoming_id_is_echoed_and_on_every_line() {
    contract::incoming_id_is_echoed_and_on_every_line(serve()).await;
}

#[actix_web::test]
async fn health_and_ready_answer_and_generate_an_id() {
    contract::health_and_ready_answer_and_generate_an_id(serve()).await;
}

#[actix_web::test]
async fn hostile_ids_are_replaced_not_echoed() {
    let addr = serve();
    let client = reqwest::Client::new();
    let too_long = "a".repeat(200);
    for (hostile, reason) in [
        ("\"};alert(1);{\"", "forbidden_character"),
        (too_long.as_str(), "too_long"),
    ] {
        let response = client
            .get(format!("http://{addr}/health"))
            .header("x-request-id", hostile)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let id = request_id(&response);
        assert_ne!(id, hostile);
        let lines = capture().lines_of(&id);
        let warn = lines.iter().find(|l| l["level"] == "WARN").unwrap();
        assert_eq!(warn["reason"], reason);
        assert_eq!(warn["length"], hostile.len());
        let everything = serde_json::to_string(&capture().lines()).unwrap();
        assert!(!everything.contains(hostile));
    }

    // Sent twice: refused too, whatever the values.
    let response = client
        .get(format!("http://{addr}/health"))
        .header("x-request-id", "twice-1")
        .header("x-request-id", "twice-2")
        .send()
        .await
        .unwrap();
    let id = request_id(&response);
    assert!(!id.starts_with("twice"));
    let lines = capture().lines_of(&id);
    let warn = lines.iter().find(|l| l["level"] == "WARN").unwrap();
    assert_eq!(warn["reason"], "multiple_values");
}

#[actix_web::test]
async fn error_and_panic_answer_500_with_the_id_on_a_live_connection() {
    let addr = serve();
    // One connection for all three requests: the panic must not close it.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .unwrap();
    let response = client
        .get(format!("http://{addr}/error"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    let id = request_id(&response);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["request_id"], id.as_str());
    let lines = capture().lines_of(&id);
    let error = lines
        .iter()
        .find(|l| l["message"] == "request failed")
        .unwrap();
    assert_eq!(error["level"], "ERROR");
    let access = access_events_of(&id);
    assert_eq!(access.len(), 1);
    assert_eq!(access[0]["level"], "ERROR");
    assert_eq!(access[0]["http.response.status_code"], 500);

    let response = client
        .get(format!("http://{addr}/panic"))
        .header("x-request-id", "panic-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(request_id(&response), "panic-1");
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"error": "internal server error", "request_id": "panic-1"})
    );
    let lines = capture().lines_of("panic-1");
    let panicked = lines
        .iter()
        .find(|l| l["message"] == "request handler panicked")
        .unwrap();
    assert_eq!(panicked["level"], "ERROR");
    assert_eq!(
        panicked["panic.message"],
        "the /panic route panics on purpose"
    );
    let access = access_events_of("panic-1");
    assert_eq!(access.len(), 1);
    assert_eq!(access[0]["http.response.status_code"], 500);
    assert_eq!(access[0]["http.route"], "/panic");

    // The worker survived and the connection still serves.
    let response = client
        .get(format!("http://{addr}/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[actix_web::test]
async fn inner_errors_pass_through_and_unknown_routes_carry_the_id() {
    let addr = serve();
    let client = reqwest::Client::new();
    let response = client
        .get(format!("http://{addr}/denied/alice"))
        .header("x-request-id", "denied-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    // The inner middleware's error passes through ours as it is (so that middleware outside
    // ours can downcast it); actix-web makes its response afterwards, without our header.
    assert!(response.headers().get("x-request-id").is_none());
    let access = access_events_of("denied-1");
    assert_eq!(access.len(), 1);
    assert_eq!(access[0]["level"], "INFO");
    assert_eq!(access[0]["http.response.status_code"], 403);
    assert_eq!(access[0]["http.route"], "/denied/{user}");
    assert_eq!(access[0]["url.path"], "/denied/alice");

    let response = client
        .get(format!("http://{addr}/no/such/route"))
        .header("x-request-id", "missing-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(request_id(&response), "missing-1");
    let access = access_events_of("missing-1");
    assert_eq!(access.len(), 1);
    assert_eq!(access[0]["url.path"], "/no/such/route");
    assert!(access[0]["http.route"].is_null(), "never the raw path");
}

#[actix_web::test]
async fn exactly_one_access_event_per_request_with_every_field() {
    let addr = serve();
    let client = reqwest::Client::new();
    let response = client
        .get(format!("http://{addr}/ready?api_key=canary-123"))
        .header("x-request-id", "one-access-1")
        .header("authorization", "Bearer canary-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let access = access_events_of("one-access-1");
    assert_eq!(access.len(), 1);
    let event = &access[0];
    assert_eq!(event["level"], "INFO");
    assert_eq!(event["message"], "request completed");
    assert_eq!(event["http.request.method"], "GET");
    assert_eq!(event["url.path"], "/ready");
    assert_eq!(event["http.route"], "/ready");
    assert_eq!(event["http.response.status_code"], 200);
    assert!(event["latency_ms"].is_number());
    let everything = serde_json::to_string(&capture().lines()).unwrap();
    assert!(!everything.contains("canary-123"));
}

#[actix_web::test]
async fn extractor_and_current_agree_and_the_body_streams_in_the_span() {
    let addr = serve();
    let client = reqwest::Client::new();
    let response = client
        .get(format!("http://{addr}/whoami"))
        .header("x-request-id", "who-1")
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"extracted": "who-1", "current": "who-1"}));

    let response = client
        .get(format!("http://{addr}/logging-stream"))
        .header("x-request-id", "stream-1")
        .send()
        .await
        .unwrap();
    assert_eq!(request_id(&response), "stream-1");
    assert_eq!(response.text().await.unwrap(), "chunk\n".repeat(3));
    let chunks = capture()
        .lines()
        .into_iter()
        .filter(|l| l["message"] == "chunk sent")
        .collect::<Vec<_>>();
    assert_eq!(chunks.len(), 3);
    for chunk in &chunks {
        assert_eq!(chunk["request_id"], "stream-1", "{chunk}");
    }
}

#[actix_web::test]
async fn two_hundred_concurrent_requests_never_share_an_id() {
    let addr = serve();
    let client = reqwest::Client::new();
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let client = client.clone();
            actix_web::rt::spawn(async move {
                let id = format!("conc-{i}");
                let (path, request) = if i % 2 == 0 {
                    let request = client
                        .post(format!("http://{addr}/docs"))
                        .json(&json!({ "title": id }));
                    ("docs", request)
                } else {
                    ("whoami", client.get(format!("http://{addr}/whoami")))
                };
                let response = request.header("x-request-id", &id).send().await.unwrap();
                assert!(response.status().is_success(), "{path}");
                assert_eq!(request_id(&response), id);
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let lines = capture().lines();
    let stored: Vec<&Value> = lines
        .iter()
        .filter(|l| l["message"] == "document stored")
        .filter(|l| l["title"].as_str().is_some_and(|t| t.starts_with("conc-")))
        .collect();
    let yielded: Vec<&Value> = lines
        .iter()
        .filter(|l| l["message"] == "before yield" || l["message"] == "after yield")
        .filter(|l| {
            l["expected"]
                .as_str()
                .is_some_and(|t| t.starts_with("conc-"))
        })
        .collect();
    assert_eq!(stored.len(), 100);
    assert_eq!(yielded.len(), 200);
    let mut seen = HashSet::new();
    for line in &stored {
        // The handler logged its own title, which is its request's ID: the line's request_id
        // must be that one and never another request's.
        assert_eq!(line["request_id"], line["title"], "{line}");
        assert!(seen.insert(line["request_id"].as_str().unwrap().to_owned()));
    }
    for line in &yielded {
        assert_eq!(line["request_id"], line["expected"], "{line}");
    }
    let access: Vec<Value> = capture()
        .access_events()
        .into_iter()
        .filter(|l| {
            l["request_id"]
                .as_str()
                .is_some_and(|t| t.starts_with("conc-"))
        })
        .collect();
    assert_eq!(access.len(), 200, "one access event per request");
}

#[actix_web::test]
async fn a_stream_is_logged_after_its_last_byte() {
    contract::a_stream_is_logged_after_its_last_byte(serve()).await;
}

#[actix_web::test]
async fn a_client_that_hangs_up_mid_stream_is_logged_as_gone() {
    contract::a_client_that_hangs_up_mid_stream_is_logged_as_gone(serve()).await;
}

#[actix_web::test]
async fn bad_stream_values_answer_400() {
    contract::bad_stream_values_answer_400(serve()).await;
}

#[actix_web::test]
async fn a_failing_body_is_logged_once_at_error() {
    let addr = serve();
    let response = reqwest::Client::new()
        .get(format!("http://{addr}/failing-stream"))
        .header("x-request-id", "broken-1")
        .send()
        .await;
    // actix-web closes the connection at the error, before or after the head is out.
    if let Ok(response) = response {
        assert_eq!(response.status(), 200);
        assert!(response.bytes().await.is_err(), "the body is cut short");
    }
    let access = contract::access_events_once_written("broken-1").await;
    assert_eq!(access.len(), 1, "{access:?}");
    support::assert_body_failed(&access[0], 6);
}

#[actix_web::test]
async fn the_level_hook_and_the_path_option_apply() {
    let addr = serve_quiet();
    let client = reqwest::Client::new();
    let get = |path: &str, id: &str| {
        client
            .get(format!("http://{addr}{path}"))
            .header("x-request-id", id)
            .send()
    };
    let response = get("/health?fail", "quiet-fail-1").await.unwrap();
    assert_eq!(response.status(), 503);
    let access = contract::access_events_once_written("quiet-fail-1").await;
    assert_eq!(access.len(), 1, "a 5xx is never silenced by default");
    assert_eq!(access[0]["level"], "ERROR");

    let response = get("/users/secret-token", "quiet-404-1").await.unwrap();
    assert_eq!(response.status(), 404);
    let access = contract::access_events_once_written("quiet-404-1").await;
    assert_eq!(access.len(), 1);
    assert_eq!(access[0]["level"], "WARN");
    assert_eq!(access[0]["http.route"], "/users/{id}");
    assert!(access[0].get("url.path").is_none(), "{:?}", access[0]);

    // Written after the two above on the same worker: had it an access line, it would be
    // there by now.
    let response = get("/health", "quiet-ok-1").await.unwrap();
    assert_eq!(response.status(), 200);
    let response = get("/users/1", "quiet-404-2").await.unwrap();
    assert_eq!(response.status(), 404);
    contract::access_events_once_written("quiet-404-2").await;
    let lines = capture().lines_of("quiet-ok-1");
    assert_eq!(lines.len(), 1, "only the handler's line: {lines:?}");
    assert_eq!(lines[0]["message"], "health checked");
    let raw = serde_json::to_string(&capture().lines()).unwrap();
    assert!(!raw.contains("secret-token"), "{raw}");
}
