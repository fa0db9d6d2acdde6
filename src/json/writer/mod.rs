//! The non-blocking line writer: logging threads queue whole lines, one background thread
//! writes them in batches, and the guard drains the queue at shutdown, within a bound.
//!
//! # Example
//!
//! ```
//! use http_observability::json::{JsonLayer, writer};
//! use tracing_subscriber::{Registry, filter::LevelFilter, layer::SubscriberExt};
//!
//! let (stdout, guard) = writer::non_blocking(std::io::stdout());
//! let layer = JsonLayer::new(stdout).service("docs-api");
//! let subscriber = Registry::default().with(LevelFilter::INFO).with(layer);
//! tracing::subscriber::with_default(subscriber, || tracing::info!("hello"));
//! drop(guard); // returns once "hello" is written, or after 5 s at most
//! ```
//!
//! [`init!()`](crate::init!) sets this writer up on stdout.
//!
//! # Queue and memory
//!
//! The queue holds [`DEFAULT_QUEUE_BYTES`] (1 MiB, some 3 000 access lines) unless set with
//! [`Builder::queue_bytes`]. The writer thread takes the whole queue at once and writes it
//! while the logging threads fill the queue again, so the writer holds at most twice the
//! queue's size, allocated once at the start; a single line longer than the queue is taken
//! alone, and grows the memory to its size.
//!
//! # Back-pressure
//!
//! When the queue is full, a logging thread waits until the writer thread has taken the
//! queue: nothing is lost, and a reader that stops reading (a stalled log collector) slows
//! the service down instead. With [`Builder::lossy`] the line is dropped instead and counted;
//! [`JsonLayer::report_dropped_lines`](super::JsonLayer::report_dropped_lines) writes the
//! count into the stream.
//!
//! # Batches
//!
//! The writer thread writes what it took in one `write_all` call per batch of at most 64 KiB,
//! each batch ending at the end of a line, so that lines never interleave and a busy service
//! makes one system call for many lines. Each `write` call on [`NonBlocking`] is taken as one
//! line, as the JSON layer and tracing-subscriber's fmt layer write them. A line is copied
//! once, into the queue; in steady state this allocates nothing.
//!
//! # Shutdown
//!
//! Dropping the [`WriterGuard`] (or [`WriterGuard::shutdown`]) returns once every queued line
//! is written, or after the shutdown timeout ([`DEFAULT_SHUTDOWN_TIMEOUT`], 5 s, set with
//! [`Builder::shutdown_timeout`]) when the output does not take them. Lines that could not be
//! written are never lost silently: one line on stderr says how many, and why.
//!
//! ```text
//! http-observability: 2905 log lines were not written: 2905 still queued when the 5 s shutdown timeout passed
//! ```
//!
//! A write error (stdout closed, a full disk) loses the lines of that write and counts them;
//! the service goes on, and later lines are tried again. A line logged after the shutdown is
//! written at once, on the logging thread.
//!
//! [`std::process::exit`] runs no destructors: call [`WriterGuard::shutdown`] (or drop the
//! guard) before it, or the queued lines are lost.

// How it is done today (not promised above): `queue` is one `Vec<u8>` behind a mutex, which
// the writer thread swaps whole with its own empty buffer (double buffering), with two
// condition variables: the writer's (notified only when it waits, so once per batch at most)
// and the one for logging threads waiting for room or for a flush. Having written, the writer
// thread waits 1 ms for more lines without being woken (unless the queue gets half full), so
// a busy service makes about one write call per millisecond. `worker` is the thread's loop.

mod queue;
mod worker;

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tracing_subscriber::fmt::MakeWriter;

use self::queue::{Counts, Shared};
use super::DroppedLineCounter;

/// The queue's size unless set: 1 MiB.
pub const DEFAULT_QUEUE_BYTES: usize = 1024 * 1024;

/// How long shutdown waits for the queued lines unless set: 5 s.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// A writer thread on `writer` with the defaults (lossless, 1 MiB queue, 5 s shutdown
/// timeout); see the [module docs](self).
pub fn non_blocking<W: io::Write + Send + 'static>(writer: W) -> (NonBlocking, WriterGuard) {
    Builder::default().finish(writer)
}

/// The settings of a writer thread; [`finish`](Self::finish) starts it.
#[derive(Debug, Clone)]
#[must_use = "a Builder does nothing until `finish`"]
pub struct Builder {
    queue_bytes: usize,
    lossy: bool,
    shutdown_timeout: Duration,
    thread_name: String,
}

impl Default for Builder {
    fn default() -> Self {
        Self {
            queue_bytes: DEFAULT_QUEUE_BYTES,
            lossy: false,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            thread_name: "http-observability-log".to_owned(),
        }
    }
}

impl Builder {
    /// Sets the queue's size in bytes (default [`DEFAULT_QUEUE_BYTES`]; at least one byte).
    pub fn queue_bytes(mut self, bytes: usize) -> Self {
        self.queue_bytes = bytes.max(1);
        self
    }

    /// Drops lines rather than waiting when the queue is full (default: lossless).
    pub fn lossy(mut self, lossy: bool) -> Self {
        self.lossy = lossy;
        self
    }

    /// Sets how long shutdown waits for the queued lines (default
    /// [`DEFAULT_SHUTDOWN_TIMEOUT`]).
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// Names the writer thread (default `http-observability-log`).
    pub fn thread_name(mut self, name: impl Into<String>) -> Self {
        self.thread_name = name.into();
        self
    }

    /// Starts the writer thread on `writer`. Should the system refuse a thread, every line is
    /// counted as dropped and the guard's report says so.
    pub fn finish<W: io::Write + Send + 'static>(self, writer: W) -> (NonBlocking, WriterGuard) {
        let shared = Arc::new(Shared::new(self.queue_bytes, self.lossy));
        let thread = match worker::spawn(shared.clone(), writer, self.thread_name) {
            Ok(thread) => Some(thread),
            Err(error) => {
                eprintln!("http-observability: no log writer thread ({error}): lines are dropped");
                shared.writer_ended();
                None
            }
        };
        let guard = WriterGuard {
            shared: shared.clone(),
            thread,
            shutdown_timeout: self.shutdown_timeout,
            done: false,
        };
        (NonBlocking { shared }, guard)
    }
}

/// The logging side of a writer thread: a `MakeWriter` and an `io::Write` that queue each
/// write as one line. Cheap to clone.
#[derive(Clone)]
pub struct NonBlocking {
    shared: Arc<Shared>,
}

impl fmt::Debug for NonBlocking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NonBlocking")
            .field("queue_bytes", &self.shared.capacity)
            .field("dropped_lines", &self.shared.dropped())
            .finish_non_exhaustive()
    }
}

impl NonBlocking {
    /// Lines dropped so far because the queue was full (lossy mode).
    pub fn dropped_lines(&self) -> usize {
        self.shared.dropped()
    }

    /// Runs `log` (which logs a line) then waits until every line queued is written, the
    /// whole waiting `timeout` at most (a full queue included); `true` if they all were.
    pub(crate) fn log_and_flush_within(&self, timeout: Duration, log: impl FnOnce()) -> bool {
        let deadline = deadline(timeout);
        queue::with_deadline(deadline, log);
        self.shared.flush(deadline)
    }
}

impl DroppedLineCounter for NonBlocking {
    fn dropped_lines(&self) -> usize {
        self.shared.dropped()
    }
}

impl io::Write for &NonBlocking {
    /// Queues `buf` whole, as one line.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.shared.push(buf);
        Ok(buf.len())
    }

    /// Returns at once: the writer thread writes as soon as it can; the guard's
    /// [`flush`](WriterGuard::flush) waits for it.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl io::Write for NonBlocking {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&*self).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for NonBlocking {
    type Writer = &'a NonBlocking;

    fn make_writer(&'a self) -> Self::Writer {
        self
    }
}

/// Keeps the writer thread running; dropping it drains the queue (see
/// [shutdown](self#shutdown)).
#[must_use = "dropping the guard stops the writer thread: bind it with `let _guard = ...`"]
pub struct WriterGuard {
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
    shutdown_timeout: Duration,
    done: bool,
}

impl fmt::Debug for WriterGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WriterGuard")
            .field("shutdown_timeout", &self.shutdown_timeout)
            .finish_non_exhaustive()
    }
}

impl WriterGuard {
    /// Waits until every line queued so far is written, at most the shutdown timeout; `true`
    /// if they all were. Logging goes on.
    pub fn flush(&self) -> bool {
        self.shared.flush(deadline(self.shutdown_timeout))
    }

    /// Drains the queue and stops the writer thread, waiting at most the shutdown timeout;
    /// what dropping the guard does, with the counts returned (and reported on stderr when a
    /// line was lost).
    pub fn shutdown(mut self) -> ShutdownReport {
        self.stop()
    }

    /// The shutdown timeout.
    pub fn shutdown_timeout(&self) -> Duration {
        self.shutdown_timeout
    }

    /// A handle that flushes, for the panic hook.
    pub(crate) fn writer(&self) -> NonBlocking {
        NonBlocking {
            shared: self.shared.clone(),
        }
    }

    fn stop(&mut self) -> ShutdownReport {
        if self.done {
            return ShutdownReport::default();
        }
        self.done = true;
        let (ended, counts) = self.shared.close(deadline(self.shutdown_timeout));
        if ended && let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        // Else the thread is stuck in a write: left to the end of the process.
        let report = ShutdownReport::new(counts, self.shutdown_timeout);
        if report.lost() > 0 {
            eprintln!("http-observability: {report}");
        }
        report
    }
}

impl Drop for WriterGuard {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What became of the lines at shutdown ([`WriterGuard::shutdown`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ShutdownReport {
    /// Lines still queued (or being written) when the shutdown timeout passed.
    pub not_written: u64,
    /// Lines whose write failed (stdout closed, a full disk).
    pub failed: u64,
    /// Lines dropped because the queue was full (lossy mode, or a panic's line that could
    /// not wait any longer).
    pub dropped: u64,
    error: Option<io::ErrorKind>,
    timeout: Duration,
}

impl ShutdownReport {
    fn new(counts: Counts, timeout: Duration) -> Self {
        Self {
            not_written: counts.not_written,
            failed: counts.failed,
            dropped: counts.dropped,
            error: counts.first_error,
            timeout,
        }
    }

    /// Every line lost: not written, failed or dropped.
    pub fn lost(&self) -> u64 {
        self.not_written + self.failed + self.dropped
    }
}

impl fmt::Display for ShutdownReport {
    /// One line: `2905 log lines were not written: 2905 still queued when the 5 s shutdown
    /// timeout passed`, with each cause that counts.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} log lines were not written:", self.lost())?;
        let mut first = true;
        let mut cause = |f: &mut fmt::Formatter<'_>, n: u64, args: fmt::Arguments<'_>| {
            if n == 0 {
                return Ok(());
            }
            let sep = if std::mem::take(&mut first) {
                " "
            } else {
                "; "
            };
            write!(f, "{sep}{n} {args}")
        };
        cause(
            f,
            self.not_written,
            format_args!(
                "still queued when the {} s shutdown timeout passed",
                self.timeout.as_secs_f64()
            ),
        )?;
        let error = self.error.unwrap_or(io::ErrorKind::Other);
        cause(f, self.failed, format_args!("failed to write ({error})"))?;
        cause(
            f,
            self.dropped,
            format_args!("dropped because the queue was full"),
        )
    }
}

/// `timeout` from now, or far away when it overflows.
fn deadline(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .unwrap_or_else(|| now + Duration::from_secs(86_400 * 365))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;
    use std::sync::{Condvar, Mutex, PoisonError};

    /// Whether the output takes writes, and each write call it took.
    type OutputState = Mutex<(bool, Vec<Vec<u8>>)>;

    /// A writer that keeps each write call, and blocks while closed.
    #[derive(Clone, Default)]
    struct Output(Arc<(OutputState, Condvar)>);

    impl Output {
        fn open() -> Self {
            let output = Self::default();
            output.set_open(true);
            output
        }
        fn set_open(&self, open: bool) {
            let (state, changed) = &*self.0;
            state.lock().unwrap_or_else(PoisonError::into_inner).0 = open;
            changed.notify_all();
        }
        fn calls(&self) -> Vec<Vec<u8>> {
            self.0
                .0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .1
                .clone()
        }
    }

    impl io::Write for Output {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let (state, changed) = &*self.0;
            let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
            while !state.0 {
                state = changed.wait(state).unwrap_or_else(PoisonError::into_inner);
            }
            state.1.push(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// One line, in one write as the formatters write them.
    fn send(writer: &NonBlocking, line: &str) {
        let mut writer = writer;
        writer
            .write_all(format!("{line}\n").as_bytes())
            .expect("queued");
    }

    #[test]
    fn the_writer_and_its_guard_cross_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<NonBlocking>();
        send_sync::<WriterGuard>();
    }

    #[test]
    fn drop_returns_once_every_line_is_written() {
        let output = Output::open();
        let (writer, guard) = non_blocking(output.clone());
        for i in 0..1000 {
            send(&writer, &format!("line {i}"));
        }
        let report = guard.shutdown();
        assert_eq!(report.lost(), 0);
        let text = String::from_utf8(output.calls().concat()).expect("UTF-8");
        let expected: String = (0..1000).map(|i| format!("line {i}\n")).collect();
        assert_eq!(text, expected);
    }

    #[test]
    fn a_line_after_the_shutdown_is_written_at_once() {
        let output = Output::open();
        let (writer, guard) = non_blocking(output.clone());
        assert_eq!(guard.shutdown().lost(), 0);
        send(&writer, "late");
        assert_eq!(output.calls(), vec![b"late\n".to_vec()]);
        assert_eq!(writer.dropped_lines(), 0);
    }

    #[test]
    fn lines_queued_while_the_output_is_stuck_go_out_in_few_writes() {
        let output = Output::default(); // closed: the first write waits
        let (writer, guard) = non_blocking(output.clone());
        send(&writer, "first");
        assert!(!guard.shared.flush(Instant::now()));
        for i in 0..100 {
            send(&writer, &format!("line {i}"));
        }
        output.set_open(true);
        assert!(guard.flush());
        // "first" alone (if taken before the others came), then the hundred in one call.
        assert!(output.calls().len() <= 2, "{:?}", output.calls());
        assert_eq!(guard.shutdown().lost(), 0);
    }

    #[test]
    fn a_stuck_output_is_given_up_after_the_timeout_and_counted() {
        let output = Output::default(); // never opened
        let (writer, guard) = Builder::default()
            .shutdown_timeout(Duration::from_millis(50))
            .finish(output);
        for i in 0..10 {
            send(&writer, &format!("line {i}"));
        }
        let report = guard.shutdown();
        assert_eq!(report.not_written, 10);
        assert_eq!(
            report.to_string(),
            "10 log lines were not written: 10 still queued when the 0.05 s shutdown timeout passed"
        );
    }

    #[test]
    fn failed_writes_are_counted_and_logging_goes_on() {
        struct Closed;
        impl io::Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let (writer, guard) = non_blocking(Closed);
        for i in 0..5 {
            send(&writer, &format!("line {i}"));
            assert!(guard.flush());
        }
        let report = guard.shutdown();
        assert_eq!((report.failed, report.not_written), (5, 0));
        assert!(
            report
                .to_string()
                .contains("5 failed to write (broken pipe)"),
            "{report}"
        );
    }

    #[test]
    fn the_lossy_mode_drops_and_counts() {
        let output = Output::default();
        let (writer, guard) = Builder::default()
            .lossy(true)
            .queue_bytes(16)
            .finish(output.clone());
        for _ in 0..10 {
            send(&writer, "0123456");
        }
        // One taken by the (stuck) writer thread, or not yet: two fit the queue.
        assert!(writer.dropped_lines() >= 7, "{}", writer.dropped_lines());
        output.set_open(true);
        let dropped = writer.dropped_lines() as u64;
        assert_eq!(guard.shutdown().dropped, dropped);
        assert_eq!(output.calls().concat().len() as u64, (10 - dropped) * 8);
    }
}
