//! Where the lines go: stdout through the non-blocking writer, or a custom writer.

use std::io;

use tracing_appender::non_blocking::NonBlocking;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::writer::{BoxMakeWriter, EitherWriter};

/// Stdout through the non-blocking writer, or a custom writer.
pub(super) enum LineWriter {
    Stdout(NonBlocking),
    Custom(BoxMakeWriter),
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
