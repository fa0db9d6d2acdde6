//! A lossy non-blocking writer that drops lines: the count comes out in the JSON stream.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use http_observability::json::{DROPPED_LINES_TARGET, JsonLayer};
use serde_json::Value;
use tracing_appender::non_blocking::{NonBlocking, NonBlockingBuilder};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::{Registry, filter::LevelFilter, layer::SubscriberExt};

/// The state behind a writer that blocks until opened.
#[derive(Default)]
struct GateState {
    open: bool,
    lines: Vec<Vec<u8>>,
}

#[derive(Clone, Default)]
struct Gate(Arc<(Mutex<GateState>, Condvar)>);

impl io::Write for Gate {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let (state, changed) = &*self.0;
        let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
        while !state.open {
            state = changed.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
        state.lines.push(buf.to_vec());
        changed.notify_all();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Gate {
    fn open(&self) {
        let (state, changed) = &*self.0;
        state.lock().unwrap_or_else(PoisonError::into_inner).open = true;
        changed.notify_all();
    }

    /// Waits until `n` lines were written (a safety timeout, not a timing assertion).
    fn wait_for(&self, n: usize) {
        let (state, changed) = &*self.0;
        let state = state.lock().unwrap_or_else(PoisonError::into_inner);
        let (state, _) = changed
            .wait_timeout_while(state, Duration::from_secs(30), |s| s.lines.len() < n)
            .unwrap_or_else(PoisonError::into_inner);
        assert_eq!(state.lines.len(), n);
    }

    fn json(&self) -> Vec<Value> {
        let (state, _) = &*self.0;
        let state = state.lock().unwrap_or_else(PoisonError::into_inner);
        state
            .lines
            .iter()
            .map(|line| serde_json::from_slice(line).expect("valid JSON"))
            .collect()
    }
}

impl Gate {
    /// Every line written, parsed, whatever the writes (a batching writer writes many lines
    /// at once).
    fn json_lines(&self) -> Vec<Value> {
        let (state, _) = &*self.0;
        let state = state.lock().unwrap_or_else(PoisonError::into_inner);
        let text = String::from_utf8(state.lines.concat()).expect("UTF-8");
        text.lines()
            .map(|line| serde_json::from_str(line).expect("valid JSON"))
            .collect()
    }
}

/// Counts the lines handed to the non-blocking writer.
#[derive(Clone)]
struct CountSends {
    inner: NonBlocking,
    sent: Arc<AtomicUsize>,
}

impl<'a> MakeWriter<'a> for CountSends {
    type Writer = NonBlocking;
    fn make_writer(&'a self) -> NonBlocking {
        self.sent.fetch_add(1, Ordering::SeqCst);
        self.inner.clone()
    }
}

#[test]
fn dropped_lines_are_reported_as_a_warn_line() {
    let gate = Gate::default();
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(2)
        .finish(gate.clone());
    let counter = writer.error_counter();
    let sent = Arc::new(AtomicUsize::new(0));
    let layer = JsonLayer::new(CountSends {
        inner: writer,
        sent: sent.clone(),
    })
    .service("svc")
    .report_dropped_lines(counter.clone());
    let subscriber = Registry::default().with(LevelFilter::INFO).with(layer);

    tracing::subscriber::with_default(subscriber, || {
        for i in 0..20 {
            tracing::info!(i, "while the writer is stuck");
        }
        assert!(counter.dropped_lines() > 0);
        gate.open();
        gate.wait_for(sent.load(Ordering::SeqCst) - counter.dropped_lines());
        tracing::info!("after");
    });
    drop(guard); // flushes
    let lines = gate.json();
    let report = lines.last().expect("lines");
    assert_eq!(report["level"], "WARN");
    assert_eq!(report["target"], DROPPED_LINES_TARGET);
    assert_eq!(report["service"], "svc");
    assert_eq!(report["dropped_lines_total"], counter.dropped_lines());
    assert!(report["dropped_lines"].as_u64().expect("a number") >= 1);
    assert_eq!(lines[lines.len() - 2]["message"], "after");
}

#[test]
fn dropped_lines_of_this_crates_writer_are_reported_too() {
    let gate = Gate::default();
    let (writer, guard) = http_observability::json::writer::Builder::default()
        .lossy(true)
        .queue_bytes(512)
        .finish(gate.clone());
    let layer = JsonLayer::new(writer.clone())
        .service("svc")
        .report_dropped_lines(writer.clone());
    let subscriber = Registry::default().with(LevelFilter::INFO).with(layer);

    tracing::subscriber::with_default(subscriber, || {
        for i in 0..20 {
            tracing::info!(i, "while the writer is stuck");
        }
        assert!(writer.dropped_lines() > 0);
        gate.open();
        assert!(guard.flush(), "the queue drains once the writer is open");
        tracing::info!("after");
    });
    let report = guard.shutdown();
    assert_eq!(report.dropped, writer.dropped_lines() as u64);
    let lines = gate.json_lines();
    let last = lines.last().expect("lines");
    assert_eq!(last["level"], "WARN");
    assert_eq!(last["target"], DROPPED_LINES_TARGET);
    assert_eq!(last["service"], "svc");
    assert_eq!(last["dropped_lines_total"], writer.dropped_lines());
    assert!(last["dropped_lines"].as_u64().expect("a number") >= 1);
    assert_eq!(lines[lines.len() - 2]["message"], "after");
}
