//! The dropped-line report: a WARN line counting the lines a lossy writer dropped.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

use tracing::Metadata;
use tracing_appender::non_blocking::ErrorCounter;
use tracing_subscriber::fmt::MakeWriter;

use super::layer::JsonLayer;
use super::number;
use super::scratch::with_scratch;

/// The target of the line reporting dropped lines (see
/// [`JsonLayer::report_dropped_lines`]).
pub const DROPPED_LINES_TARGET: &str = "http_observability::json";

/// Counts the lines a lossy writer dropped, for
/// [`JsonLayer::report_dropped_lines`]: implemented by this crate's
/// [`NonBlocking`](super::writer::NonBlocking) and by tracing-appender's `ErrorCounter`.
pub trait DroppedLineCounter: Send + Sync + 'static {
    /// The lines dropped so far.
    fn dropped_lines(&self) -> usize;
}

impl DroppedLineCounter for ErrorCounter {
    fn dropped_lines(&self) -> usize {
        ErrorCounter::dropped_lines(self)
    }
}

/// The counter of a lossy writer and how much of it was already reported.
pub(super) struct DroppedLines {
    pub(super) counter: Box<dyn DroppedLineCounter>,
    pub(super) reported: AtomicUsize,
}

impl fmt::Debug for DroppedLines {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DroppedLines")
            .field("total", &self.counter.dropped_lines())
            .field("reported", &self.reported)
            .finish()
    }
}

impl<W> JsonLayer<W>
where
    W: for<'w> MakeWriter<'w> + 'static,
{
    /// After an event, reports lines the writer dropped since the last report, if any.
    pub(super) fn report_dropped(&self, metadata: &Metadata<'_>) {
        let Some(dropped) = &self.dropped else {
            return;
        };
        let total = dropped.counter.dropped_lines();
        let reported = dropped.reported.load(Ordering::Relaxed);
        if total <= reported
            || dropped
                .reported
                .compare_exchange(reported, total, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        with_scratch(|scratch| {
            scratch.line.clear();
            self.header(scratch, &tracing::Level::WARN, DROPPED_LINES_TARGET);
            let buf = &mut scratch.line.buf;
            buf.extend_from_slice(b"\"log lines were dropped: the writer was full\"");
            buf.extend_from_slice(b",\"dropped_lines\":");
            number::u64_value(buf, (total - reported) as u64);
            buf.extend_from_slice(b",\"dropped_lines_total\":");
            number::u64_value(buf, total as u64);
            self.finish_line(buf, &tracing::Level::WARN);
            self.write_line(metadata, &scratch.line.buf);
        });
    }
}
