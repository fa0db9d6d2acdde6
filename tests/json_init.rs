//! `init`/`Init::install` as the global subscriber: once per process, and the opt-in panic
//! hook writes a panic as one JSON ERROR line (one test: the global subscriber is per process).

use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use http_observability::{Init, InitError};
use serde_json::Value;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn installs_once_and_logs_panics_as_json() {
    let capture = Capture::default();
    let writer = capture.clone();
    let guard = Init::new()
        .service("init-test")
        .filter("info")
        .writer(move || writer.clone())
        .log_panics(true)
        .install()
        .expect("first install");

    let second = http_observability::init();
    assert!(matches!(second, Err(InitError::AlreadyInitialized)));
    assert!(second.unwrap_err().to_string().contains("already set"));

    tracing::info!(user_id = 1, "hello");
    let panicked = std::thread::spawn(|| {
        let span = tracing::info_span!("request", request_id = "abc");
        let _span = span.enter();
        panic!("boom at {}", 42);
    })
    .join();
    assert!(panicked.is_err());
    drop(guard);

    let text = String::from_utf8(capture.0.lock().unwrap().clone()).expect("UTF-8");
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("every line is JSON"))
        .collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(lines[0]["message"], "hello");
    assert_eq!(lines[0]["service"], "init-test");
    let panic = &lines[1];
    assert_eq!(panic["level"], "ERROR");
    assert_eq!(panic["message"], "panic");
    assert_eq!(panic["panic.message"], "boom at 42");
    assert_eq!(panic["request_id"], "abc");
    assert!(
        panic["panic.location"]
            .as_str()
            .expect("a location")
            .starts_with("tests/json_init.rs:")
    );
}
