//! Where the lines go: stdout through the non-blocking writer, or a custom writer.

use std::io::{self, IsTerminal as _};

use tracing_appender::non_blocking::{ErrorCounter, NonBlocking, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::writer::{BoxMakeWriter, EitherWriter};

/// Stdout through the non-blocking writer, or a custom writer.
pub(super) enum LineWriter {
    Stdout(NonBlocking),
    Custom(BoxMakeWriter),
}

/// `custom`, written synchronously; else stdout through the non-blocking writer thread, with
/// the guard that flushes it and, when `lossy`, the count of the lines it dropped.
pub(super) fn line_writer(
    custom: Option<BoxMakeWriter>,
    lossy: bool,
) -> (LineWriter, Option<WorkerGuard>, Option<ErrorCounter>) {
    match custom {
        Some(custom) => (LineWriter::Custom(custom), None, None),
        None => {
            // The queue holds copies: one allocation per line, outside the formatter.
            let (writer, worker) = NonBlockingBuilder::default()
                .lossy(lossy)
                .thread_name("http-observability-log")
                .finish(io::stdout());
            let dropped = lossy.then(|| writer.error_counter());
            (LineWriter::Stdout(writer), Some(worker), dropped)
        }
    }
}

impl LineWriter {
    /// Whether the lines go to stdout and stdout is a terminal.
    pub(super) fn is_terminal(&self) -> bool {
        matches!(self, Self::Stdout(_)) && io::stdout().is_terminal()
    }
}

impl<'a> MakeWriter<'a> for LineWriter {
    type Writer = EitherWriter<NonBlocking, Box<dyn io::Write + 'a>>;

    fn make_writer(&'a self) -> Self::Writer {
        match self {
            Self::Stdout(writer) => EitherWriter::A(writer.clone()),
            Self::Custom(writer) => EitherWriter::B(writer.make_writer()),
        }
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> Self::Writer {
        match self {
            Self::Stdout(writer) => EitherWriter::A(writer.clone()),
            Self::Custom(writer) => EitherWriter::B(writer.make_writer_for(meta)),
        }
    }
}
