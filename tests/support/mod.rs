//! Shared test helpers: an in-memory log capture, servers and a client for real HTTP on
//! 127.0.0.1.

#![allow(dead_code)] // Each test binary uses a different part of this module.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;

pub mod contract;
pub mod profiles;
pub mod shapes;
pub mod unique_keys;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;

/// The actix-web middleware under test, named here once for every test file that wraps an app
/// in it.
#[cfg(feature = "actix")]
pub type ActixMiddleware = http_observability::actix::ObservabilityMiddleware;

/// A `MakeWriter` that keeps every write, for tests to parse.
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<Vec<u8>>>>);

impl Capture {
    /// Every line written so far, as text, checking that each write was exactly one whole line.
    pub fn raw_lines(&self) -> Vec<String> {
        let writes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        writes
            .iter()
            .map(|write| {
                let line = String::from_utf8(write.clone()).expect("UTF-8 line");
                assert!(line.ends_with('\n'), "one write per line: {line:?}");
                assert_eq!(
                    line.matches('\n').count(),
                    1,
                    "one line per write: {line:?}"
                );
                line
            })
            .collect()
    }

    /// Every byte written so far, the writes concatenated (for output that is not JSON lines).
    pub fn raw_bytes(&self) -> Vec<u8> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .concat()
    }

    /// Every line written so far, each parsed as one JSON object (panics on a line that is not).
    pub fn lines(&self) -> Vec<Value> {
        self.raw_lines()
            .iter()
            .map(|line| {
                serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"))
            })
            .collect()
    }

    /// The only line written so far (panics if there is not exactly one).
    pub fn one(&self) -> Value {
        let mut lines = self.lines();
        assert_eq!(lines.len(), 1, "{lines:?}");
        lines.remove(0)
    }

    /// The lines that carry `request_id` = `id`.
    pub fn lines_of(&self, id: &str) -> Vec<Value> {
        self.lines()
            .into_iter()
            .filter(|line| line["request_id"] == id)
            .collect()
    }

    /// The access-log events among the lines.
    pub fn access_events(&self) -> Vec<Value> {
        self.lines()
            .into_iter()
            .filter(|line| line["target"] == http_observability::access_log::TARGET)
            .collect()
    }
}

/// The writer handed out by [`Capture`].
pub struct CaptureWriter(Arc<Mutex<Vec<Vec<u8>>>>);

impl Write for CaptureWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(buf.to_vec());
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = CaptureWriter;

    fn make_writer(&'a self) -> Self::Writer {
        CaptureWriter(Arc::clone(&self.0))
    }
}

/// Checks that `event` is the access record of a 200 whose body failed after `size` bytes.
pub fn assert_body_failed(event: &Value, size: u64) {
    assert_eq!(event["message"], "response body failed", "{event}");
    assert_eq!(event["end_reason"], "body_error", "{event}");
    assert_eq!(event["level"], "ERROR", "{event}");
    assert_eq!(event["http.response.status_code"], 200, "{event}");
    assert_eq!(event["http.response.body.size"], size, "{event}");
}

/// The `x-request-id` of a response.
pub fn request_id(response: &reqwest::Response) -> String {
    response.headers()["x-request-id"]
        .to_str()
        .expect("an ID is visible ASCII")
        .to_owned()
}

/// The capture behind this test process's global subscriber, installed on first use (for
/// tests over real HTTP, whose server threads log outside the test's thread).
pub fn global_capture() -> &'static Capture {
    static CAPTURE: std::sync::OnceLock<Capture> = std::sync::OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        tracing::subscriber::set_global_default(subscriber(capture.clone()))
            .expect("this test binary sets the global subscriber once");
        capture
    })
}

/// What `f` logs at any level under our JSON layer (service `svc`), captured.
pub fn json_lines(f: impl FnOnce()) -> Capture {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_subscriber::filter::LevelFilter::TRACE)
        .with(http_observability::json::JsonLayer::new(capture.clone()).service("svc"));
    tracing::subscriber::with_default(subscriber, f);
    capture
}

/// A subscriber that writes our JSON lines at INFO and above into `capture`.
pub fn subscriber(capture: Capture) -> impl tracing::Subscriber + Send + Sync {
    tracing_subscriber::registry()
        .with(tracing_subscriber::filter::LevelFilter::INFO)
        .with(http_observability::json::JsonLayer::new(capture).service("test"))
}

/// A random trace id (32 hex) and span id (16 hex), as a caller's `traceparent` carries them.
pub fn caller_ids() -> (String, String) {
    let trace = uuid::Uuid::new_v4().simple().to_string();
    let parent = uuid::Uuid::new_v4().simple().to_string()[..16].to_owned();
    (trace, parent)
}

/// Serves `router` on 127.0.0.1 from a thread and runtime of its own (tests come and go with
/// theirs).
pub fn serve_axum(router: axum::Router) -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, router).await.unwrap();
        });
    });
    addr
}

/// Serves the actix-web app that `$factory` (a closure, called once per worker) makes, on
/// 127.0.0.1 with two workers, from a thread with an actix system of its own (tests come and
/// go with their runtimes); evaluates to its address.
#[cfg(feature = "actix")]
#[allow(unused_macros)] // Only the binaries that serve actix-web apps use it.
macro_rules! serve_actix {
    ($factory:expr) => {{
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let factory = $factory;
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                // A panic's hook symbolizes a backtrace on the worker's thread, which in a
                // debug build on a loaded machine takes seconds; a request queued behind it on
                // the same worker must not get actix-web's 408 (5 s by default) meanwhile.
                actix_web::HttpServer::new(factory)
                    .workers(2)
                    .client_request_timeout(std::time::Duration::from_secs(60))
                    .disable_signals()
                    .listen(listener)
                    .unwrap()
                    .run()
                    .await
                    .unwrap();
            });
        });
        addr
    }};
}
#[cfg(feature = "actix")]
#[allow(unused_imports)]
pub(crate) use serve_actix;
