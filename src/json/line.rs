//! The line: its layout (header, event fields, span fields, static fields) and its one write.

use std::io::Write as _;
use std::time::SystemTime;

use tracing::{Event, Metadata, Subscriber};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

use super::escape;
use super::layer::JsonLayer;
use super::scratch::Scratch;
use super::visitor::{FieldVisitor, Mode};

impl<W> JsonLayer<W>
where
    W: for<'w> MakeWriter<'w> + 'static,
{
    /// Writes `{"timestamp":…,"level":…,"target":…,"message":` into a cleared line.
    pub(super) fn header(scratch: &mut Scratch, level: &tracing::Level, target: &'static str) {
        let buf = &mut scratch.line.buf;
        buf.extend_from_slice(b"{\"timestamp\":");
        scratch.clock.timestamp(buf, SystemTime::now());
        buf.extend_from_slice(match *level {
            tracing::Level::TRACE => b",\"level\":\"TRACE\",\"target\":\"",
            tracing::Level::DEBUG => b",\"level\":\"DEBUG\",\"target\":\"",
            tracing::Level::INFO => b",\"level\":\"INFO\",\"target\":\"",
            tracing::Level::WARN => b",\"level\":\"WARN\",\"target\":\"",
            tracing::Level::ERROR => b",\"level\":\"ERROR\",\"target\":\"",
        });
        // A `'static` target seen plain stays plain: the last one is remembered.
        let key = (target.as_ptr() as usize, target.len());
        if scratch.plain_target == Some(key) {
            buf.extend_from_slice(target.as_bytes());
        } else if escape::needs_no_escape(target) {
            buf.extend_from_slice(target.as_bytes());
            scratch.plain_target = Some(key);
        } else {
            escape::escape_into(buf, target);
        }
        buf.extend_from_slice(b"\",\"message\":");
    }

    /// Formats `event` with its spans' fields into `scratch.line`.
    pub(super) fn format_event<S>(
        &self,
        scratch: &mut Scratch,
        event: &Event<'_>,
        ctx: &Context<'_, S>,
    ) where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        scratch.line.clear();
        let metadata = event.metadata();
        Self::header(scratch, metadata.level(), metadata.target());
        // The macros put `message` first: then one pass writes it in place; otherwise a
        // first pass writes only the message and a second the other fields.
        let message_first = metadata
            .fields()
            .iter()
            .next()
            .is_some_and(|field| field.name() == "message");
        let mut visitor = FieldVisitor {
            out: &mut scratch.line,
            text: &mut scratch.text,
            keys: &mut scratch.keys,
            config: &self.config,
            mode: if message_first {
                Mode::Event
            } else {
                Mode::Message
            },
            message_pending: true,
        };
        event.record(&mut visitor);
        visitor.finish_message();
        if !message_first {
            visitor.mode = Mode::EventFields;
            event.record(&mut visitor);
        }
        if self.span_chain(scratch, event, ctx)
            && let Some(spans) = &scratch.spans
        {
            scratch.line.extend_from(spans.chain());
        }
        self.finish_line(&mut scratch.line.buf);
    }

    /// Appends the static fields and `}\n`.
    pub(super) fn finish_line(&self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(&self.statics);
        buf.extend_from_slice(b"}\n");
    }

    /// Writes one line with one `write_all`; a failure is dropped, never raised.
    pub(super) fn write_line(&self, metadata: &Metadata<'_>, line: &[u8]) {
        let mut writer = self.make_writer.make_writer_for(metadata);
        let _ = writer.write_all(line);
    }
}
