//! The test application (axum + our layer) and the process-wide setup: one subscriber
//! (Registry + our Sentry layer + fmt), one Sentry client pointed at a receiver.

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use http_observability::ObservabilityLayer;
use http_observability::release::{BuildInfo, Release};
use http_observability::reporting::{SentryConfig, SentryGuard};
use tracing_subscriber::prelude::*;

use super::receiver::{Answer, Receiver};
use super::support::{Capture, serve_axum};

/// The release the test client is configured with (a SHA, as in production).
pub const RELEASE_SHA: &str = "0123456789abcdef0123456789abcdef01234567";
/// The environment the test client is configured with.
pub const ENVIRONMENT: &str = "test-env";
/// A secret that must never reach Sentry.
pub const CANARY: &str = "CANARY-7f3a9c";

/// What one test process shares.
pub struct Setup {
    pub receiver: Option<Receiver>,
    pub app: SocketAddr,
    pub guard: Mutex<Option<SentryGuard>>,
}

impl Setup {
    /// Sends what is pending to the receiver (bounded by the flush timeout); `true` if all of
    /// it was sent (or the guard is gone, which flushed it).
    pub fn flush(&self) -> bool {
        self.guard
            .lock()
            .unwrap()
            .as_ref()
            .is_none_or(|guard| guard.flush())
    }

    /// The events of request `id` that reached the receiver, read after a flush that must
    /// succeed. An event is queued before its request is answered; the transport sends one
    /// envelope after another and the flush returns once those queued before it were
    /// answered, which the receiver does only after keeping them. So nothing is still on its
    /// way: an empty answer means that no event was sent.
    pub fn events_of(&self, id: &str) -> Vec<serde_json::Value> {
        assert!(self.flush(), "every pending event reaches the receiver");
        self.receiver
            .as_ref()
            .expect("this setup has a receiver")
            .events_for(id, Duration::ZERO)
    }

    /// The base URL of the test application.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.app)
    }
}

static SETUP: OnceLock<Setup> = OnceLock::new();

/// Our JSON lines of the process, written beside the test output: where a request's logged
/// trace ids are read.
pub fn logs() -> &'static Capture {
    static LOGS: OnceLock<Capture> = OnceLock::new();
    LOGS.get_or_init(Capture::default)
}

/// Sets the process up once: a receiver answering `answer` (or `dsn` if given), the
/// subscriber, the Sentry client with `flush_timeout`, and the app on 127.0.0.1.
pub fn setup(answer: Answer, dsn: Option<String>, flush_timeout: Duration) -> &'static Setup {
    setup_with(answer, dsn, flush_timeout, None)
}

/// As [`setup`] with a receiver answering 200, and performance tracing on: every request is
/// traced (`SENTRY_TRACES_SAMPLE_RATE=1`).
pub fn setup_traced() -> &'static Setup {
    setup_with(Answer::Status(200), None, Duration::from_secs(5), Some("1"))
}

/// [`setup`], with `SENTRY_TRACES_SAMPLE_RATE` = `traces_sample_rate` when given. The first
/// call in a process decides.
pub fn setup_with(
    answer: Answer,
    dsn: Option<String>,
    flush_timeout: Duration,
    traces_sample_rate: Option<&'static str>,
) -> &'static Setup {
    SETUP.get_or_init(|| {
        let receiver = dsn.is_none().then(|| Receiver::start(answer));
        let dsn = dsn.unwrap_or_else(|| receiver.as_ref().unwrap().dsn());
        tracing_subscriber::registry()
            .with(tracing_subscriber::filter::LevelFilter::INFO)
            .with(tracing_subscriber::fmt::layer().with_test_writer())
            .with(http_observability::json::JsonLayer::new(logs().clone()))
            .with(http_observability::reporting::tracing_layer())
            .init();
        let release = Release::resolve_with(BuildInfo::new("app", "1.0.0", None), |name| {
            (name == "GIT_SHA").then(|| RELEASE_SHA.to_owned())
        });
        let config = SentryConfig::from_lookup(&release, |name| match name {
            "SENTRY_DSN" => Some(dsn.clone()),
            "APP_ENV" => Some(ENVIRONMENT.to_owned()),
            "SENTRY_TRACES_SAMPLE_RATE" => traces_sample_rate.map(str::to_owned),
            _ => None,
        })
        .expect("valid Sentry settings")
        .expect("a DSN")
        .flush_timeout(flush_timeout);
        let guard = config.init();
        let app = serve_axum(router());
        Setup {
            receiver,
            app,
            guard: Mutex::new(Some(guard)),
        }
    })
}

#[derive(Debug)]
pub struct CardDeclined;

impl fmt::Display for CardDeclined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("card declined by the bank")
    }
}

impl std::error::Error for CardDeclined {}

#[derive(Debug)]
pub struct PaymentFailed {
    source: CardDeclined,
}

impl fmt::Display for PaymentFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("payment failed")
    }
}

impl std::error::Error for PaymentFailed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// What `/ok` logs before answering 200.
pub fn log_all_good() {
    tracing::info!("all good");
}

/// What `/error` logs before answering 500: a WARN, then an ERROR with an error and its
/// source.
pub fn log_checkout_failed() {
    tracing::warn!("about to charge");
    let error = PaymentFailed {
        source: CardDeclined,
    };
    tracing::error!(
        error = &error as &dyn std::error::Error,
        order = 42,
        "checkout failed"
    );
}

/// What `/twice` logs before answering 500: two ERRORs.
pub fn log_two_failures() {
    tracing::error!("first failure");
    tracing::error!("second failure");
}

/// What `/secret` logs before answering 500: an ERROR whose fields and message hold
/// [`CANARY`].
pub fn log_secrets() {
    tracing::error!(
        password = CANARY,
        api_key = CANARY,
        database = %format!("postgres://app:{CANARY}@db/main"),
        "could not reach postgres://app:{CANARY}@db/main"
    );
}

/// The headers an outgoing call made now would carry (those of `outgoing::inject`), as JSON:
/// what `/outgoing` answers.
pub fn outgoing_headers() -> serde_json::Value {
    let mut headers = http::HeaderMap::new();
    http_observability::outgoing::inject(&mut headers);
    let headers = headers
        .iter()
        .map(|(name, value)| {
            let value = value.to_str().expect("ASCII headers").to_owned();
            (name.as_str().to_owned(), serde_json::Value::String(value))
        })
        .collect();
    serde_json::Value::Object(headers)
}

/// The routes every failure mode needs (the actix-web app of tests/actix_sentry.rs answers
/// the same, logging through the same functions).
pub fn router() -> Router {
    Router::new()
        .route(
            "/ok",
            get(|| async {
                log_all_good();
                "ok"
            }),
        )
        .route(
            "/error",
            get(|| async {
                log_checkout_failed();
                StatusCode::INTERNAL_SERVER_ERROR
            }),
        )
        .route(
            "/twice",
            get(|| async {
                log_two_failures();
                StatusCode::INTERNAL_SERVER_ERROR
            }),
        )
        .route(
            "/unavailable",
            get(|| async { StatusCode::SERVICE_UNAVAILABLE }),
        )
        .route("/items/{id}", get(|| async { StatusCode::BAD_GATEWAY }))
        .route(
            "/panic",
            get(|| async {
                if std::hint::black_box(true) {
                    panic!("handler exploded");
                }
                "unreachable"
            }),
        )
        .route(
            "/secret",
            get(|| async {
                log_secrets();
                StatusCode::INTERNAL_SERVER_ERROR
            }),
        )
        .route(
            "/outgoing",
            get(|| async { axum::Json(outgoing_headers()) }),
        )
        .layer(ObservabilityLayer::new())
}

/// The failure-isolation scenario, the same for every way Sentry can fail: requests keep
/// their normal answers while events are lost, the losses are counted, and dropping the guard
/// returns (a correctness bound: it would hang forever without the bounded transport).
pub async fn sentry_down_scenario(
    setup: &'static Setup,
) -> http_observability::reporting::DeliveryStats {
    let client = reqwest::Client::new();
    // More failing requests than the transport's queue holds.
    for round in 0..40 {
        let path = if round % 2 == 0 { "/error" } else { "/panic" };
        let response = client
            .get(setup.url(path))
            .send()
            .await
            .expect("the app answers");
        assert_eq!(response.status(), 500, "{path}");
        assert!(response.headers().contains_key("x-request-id"));
        let response = client
            .get(setup.url("/ok"))
            .send()
            .await
            .expect("the app answers");
        assert_eq!(response.status(), 200);
    }
    let guard = setup.guard.lock().unwrap().take().expect("the guard, once");
    let stats = tokio::task::spawn_blocking(move || {
        guard.flush(); // bounded; cannot succeed here
        let stats = guard.stats();
        let started = std::time::Instant::now();
        drop(guard);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "shutdown must be bounded by the flush timeout"
        );
        stats
    })
    .await
    .unwrap();
    assert!(stats.submitted() >= 40, "{stats:?}");
    assert_eq!(stats.delivered(), 0, "{stats:?}");
    assert_eq!(stats.lost(), stats.submitted(), "{stats:?}");
    stats
}
