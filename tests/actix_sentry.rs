//! Sentry events from an actix-web app behind our middleware, over real HTTP on 127.0.0.1,
//! received by the envelope endpoint of tests/sentry_support: the same per-request behaviour
//! as the tower side (tests/sentry_events.rs). One process: one global Sentry client.

#![cfg(all(feature = "actix", feature = "sentry"))]

mod sentry_support;

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use actix_web::dev::ServiceResponse;
use actix_web::{App, HttpResponse, HttpServer, web};
use http_observability::actix::ObservabilityMiddleware;
use sentry_support::app::{self, CANARY, ENVIRONMENT, RELEASE_SHA, Setup};
use sentry_support::receiver::{Answer, tag};
use serde_json::Value;

/// The shared setup (subscriber, Sentry client, receiver), and the actix app on 127.0.0.1.
fn setup() -> (&'static Setup, SocketAddr) {
    static ACTIX: OnceLock<SocketAddr> = OnceLock::new();
    let setup = app::setup(Answer::Status(200), None, Duration::from_secs(5));
    (setup, *ACTIX.get_or_init(serve))
}

/// Serves the test app from a thread with its own actix system (tests come and go with their
/// runtimes).
fn serve() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            HttpServer::new(|| app().wrap(ObservabilityMiddleware::new()))
                .workers(2)
                .disable_signals()
                .listen(listener)
                .unwrap()
                .run()
                .await
                .unwrap();
        });
    });
    addr
}

/// The routes every failure mode needs, as in the tower test app.
fn app() -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .route(
            "/ok",
            web::get().to(|| async {
                tracing::info!("all good");
                HttpResponse::Ok().body("ok")
            }),
        )
        .route(
            "/error",
            web::get().to(|| async {
                tracing::warn!("about to charge");
                tracing::error!(order = 42, "checkout failed");
                HttpResponse::InternalServerError().finish()
            }),
        )
        .route(
            "/twice",
            web::get().to(|| async {
                tracing::error!("first failure");
                tracing::error!("second failure");
                HttpResponse::InternalServerError().finish()
            }),
        )
        .route(
            "/fail",
            web::get().to(|| async {
                Err::<HttpResponse, _>(actix_web::error::ErrorBadGateway("upstream refused"))
            }),
        )
        .route(
            "/unavailable",
            web::get().to(|| async { HttpResponse::ServiceUnavailable().finish() }),
        )
        .route(
            "/items/{id}",
            web::get().to(|| async { HttpResponse::BadGateway().finish() }),
        )
        .route(
            "/panic",
            web::get().to(|| async {
                if std::hint::black_box(true) {
                    panic!("handler exploded");
                }
                HttpResponse::Ok().finish()
            }),
        )
        .route(
            "/secret",
            web::get().to(|| async {
                tracing::error!(
                    password = CANARY,
                    api_key = CANARY,
                    "could not reach postgres://app:{CANARY}@db/main"
                );
                HttpResponse::InternalServerError().finish()
            }),
        )
        .service(
            web::resource("/denied")
                .wrap_fn(|_request, _service| async {
                    Err::<ServiceResponse, _>(actix_web::error::ErrorInternalServerError(
                        "inner middleware failed",
                    ))
                })
                .route(web::get().to(HttpResponse::Ok)),
        )
}

fn url(addr: SocketAddr, path: &str) -> String {
    format!("http://{addr}{path}")
}

/// Sends a GET, returns (status, x-request-id).
async fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let response = reqwest::get(url(addr, path))
        .await
        .expect("the app answers");
    (response.status().as_u16(), request_id(&response))
}

fn request_id(response: &reqwest::Response) -> String {
    response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned()
}

/// Sends a GET to `path`, checks its status, and returns its one event (exactly one must
/// arrive) and its request ID.
async fn the_one_event(path: &str, expected_status: u16) -> (Value, String) {
    let (setup, addr) = setup();
    let (status, id) = get(addr, path).await;
    assert_eq!(status, expected_status, "{path}");
    let mut events = setup.events_of(&id, Duration::from_secs(2));
    assert_eq!(
        events.len(),
        1,
        "{path}: one failing request, one event: {events:#?}"
    );
    (events.remove(0), id)
}

#[tokio::test]
async fn error_event_has_request_id_release_environment_transaction_and_request() {
    let (_, addr) = setup();
    let (event, id) = the_one_event("/error?page=2", 500).await;
    let event = &event;
    assert_eq!(tag(event, "request_id"), Some(id.as_str()));
    assert_eq!(event["release"], RELEASE_SHA);
    assert_eq!(event["environment"], ENVIRONMENT);
    assert_eq!(event["level"].as_str().unwrap_or("error"), "error");
    assert_eq!(event["message"], "checkout failed");
    assert_eq!(event["transaction"], "GET /error");
    assert_eq!(event["contexts"]["Rust Tracing Fields"]["order"], 42);
    let crumbs = event["breadcrumbs"]["values"].as_array().expect("crumbs");
    assert!(
        crumbs.iter().any(|c| c["message"] == "about to charge"),
        "{crumbs:?}"
    );

    let request = &event["request"];
    assert_eq!(request["method"], "GET");
    let url = request["url"].as_str().unwrap();
    assert_eq!(url, format!("http://{addr}/error"));
    assert_eq!(request["query_string"], "page=[Filtered]");
    let headers = request["headers"].as_object().expect("headers");
    assert!(headers.contains_key("host"), "{headers:?}");
}

#[tokio::test]
async fn a_panic_is_one_event_with_message_backtrace_and_request_id() {
    let (setup, addr) = setup();
    let response = reqwest::get(url(addr, "/panic")).await.unwrap();
    assert_eq!(response.status(), 500);
    let id = request_id(&response);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["request_id"], id.as_str());

    let events = setup.events_of(&id, Duration::from_secs(2));
    assert_eq!(
        events.len(),
        1,
        "hook, panic log, error and 500: one event: {events:#?}"
    );
    let event = &events[0];
    let exception = &event["exception"]["values"][0];
    assert_eq!(exception["type"], "panic");
    assert_eq!(exception["value"], "handler exploded");
    let frames = exception["stacktrace"]["frames"]
        .as_array()
        .expect("a backtrace");
    assert!(!frames.is_empty());
    assert_eq!(event["release"], RELEASE_SHA);
    assert_eq!(event["transaction"], "GET /panic");
    assert_eq!(event["request"]["method"], "GET");
}

#[tokio::test]
async fn several_errors_in_one_request_are_one_event() {
    let (event, _) = the_one_event("/twice", 500).await;
    assert_eq!(event["message"], "first failure");
}

/// A handler's `Err` and an inner middleware's `Err`: the actix-web error is the one event.
#[tokio::test]
async fn an_actix_error_behind_a_5xx_is_one_event_with_the_error() {
    for (path, status, value) in [
        ("/fail", 502, "upstream refused"),
        ("/denied", 500, "inner middleware failed"),
    ] {
        let (event, _) = the_one_event(path, status).await;
        assert_eq!(event["exception"]["values"][0]["value"], value, "{path}");
        assert_eq!(event["request"]["method"], "GET", "{path}");
    }
}

#[tokio::test]
async fn a_5xx_without_any_log_is_one_event() {
    let (event, _) = the_one_event("/unavailable", 503).await;
    assert_eq!(event["message"], "request answered 503 Service Unavailable");
}

#[tokio::test]
async fn the_transaction_is_the_route_not_the_path() {
    let (event, _) = the_one_event("/items/8812", 502).await;
    assert_eq!(event["transaction"], "GET /items/{id}");
    let url = event["request"]["url"].as_str().unwrap();
    assert!(url.ends_with("/items/8812"), "{url}");
}

#[tokio::test]
async fn a_successful_request_sends_nothing() {
    let (setup, addr) = setup();
    let (status, id) = get(addr, "/ok").await;
    assert_eq!(status, 200);
    let events = setup.events_of(&id, Duration::from_millis(200));
    assert!(events.is_empty(), "{events:#?}");
}

#[tokio::test]
async fn secrets_appear_nowhere_in_what_is_sent() {
    let (setup, addr) = setup();
    let response = reqwest::Client::new()
        .get(url(addr, &format!("/secret?token={CANARY}&q={CANARY}")))
        .header("authorization", format!("Bearer {CANARY}"))
        .header("cookie", format!("session={CANARY}"))
        .header("x-api-key", CANARY)
        .header("x-upstream-token", CANARY)
        .header("x-harmless", "visible")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    let id = request_id(&response);
    let events = setup.events_of(&id, Duration::from_secs(2));
    assert_eq!(events.len(), 1, "{events:#?}");
    // The event did carry the request and the fields, scrubbed.
    let event = &events[0];
    assert_eq!(
        event["contexts"]["Rust Tracing Fields"]["password"],
        "[Filtered]"
    );
    let headers = event["request"]["headers"].as_object().expect("headers");
    assert_eq!(headers["x-harmless"], "visible");
    for name in ["authorization", "cookie", "x-api-key", "x-upstream-token"] {
        assert!(!headers.contains_key(name), "{name}: {headers:?}");
    }
    assert_eq!(
        event["request"]["query_string"],
        "token=[Filtered]&q=[Filtered]"
    );

    let sent = setup.receiver.as_ref().unwrap().all_bytes();
    let sent = String::from_utf8_lossy(&sent);
    assert!(!sent.contains(CANARY), "the canary reached Sentry");
}
