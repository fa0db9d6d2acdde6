//! Where the lines go: stdout through the non-blocking writer, or a custom writer.

use std::io::{self, IsTerminal as _};
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::writer::{BoxMakeWriter, EitherWriter};

use crate::json::writer::{self, NonBlocking, WriterGuard};

/// Stdout through the non-blocking writer, or a custom writer.
pub(super) enum LineWriter {
    Stdout(NonBlocking),
    Custom(BoxMakeWriter),
}

/// `custom`, written synchronously; else stdout through the non-blocking writer thread, with
/// the guard that drains it within `shutdown_timeout`.
pub(super) fn line_writer(
    custom: Option<BoxMakeWriter>,
    lossy: bool,
    shutdown_timeout: Duration,
) -> (LineWriter, Option<WriterGuard>) {
    match custom {
        Some(custom) => (LineWriter::Custom(custom), None),
        None => {
            let (writer, guard) = writer::Builder::default()
                .lossy(lossy)
                .shutdown_timeout(shutdown_timeout)
                .finish(io::stdout());
            (LineWriter::Stdout(writer), Some(guard))
        }
    }
}

impl LineWriter {
    /// Whether the lines go to stdout and stdout is a terminal.
    pub(super) fn is_terminal(&self) -> bool {
        matches!(self, Self::Stdout(_)) && io::stdout().is_terminal()
    }

    /// The non-blocking writer, when lossy, to report its dropped lines.
    pub(super) fn lossy_counter(&self, lossy: bool) -> Option<NonBlocking> {
        match self {
            Self::Stdout(writer) if lossy => Some(writer.clone()),
            _ => None,
        }
    }
}

impl<'a> MakeWriter<'a> for LineWriter {
    type Writer = EitherWriter<&'a NonBlocking, Box<dyn io::Write + 'a>>;

    fn make_writer(&'a self) -> Self::Writer {
        match self {
            Self::Stdout(writer) => EitherWriter::A(writer),
            Self::Custom(writer) => EitherWriter::B(writer.make_writer()),
        }
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> Self::Writer {
        match self {
            Self::Stdout(writer) => EitherWriter::A(writer),
            Self::Custom(writer) => EitherWriter::B(writer.make_writer_for(meta)),
        }
    }
}
