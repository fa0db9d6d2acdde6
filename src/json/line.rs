//! The line: its layout (header, event fields, span fields, static fields) and its one write.

use std::io::Write as _;
use std::time::SystemTime;

use tracing::{Event, Metadata, Subscriber};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

use super::escape;
use super::layer::JsonLayer;
use super::profile::LogProfile;
use super::scratch::Scratch;
use super::visitor::{FieldVisitor, Mode};
use crate::access_log;

impl<W> JsonLayer<W>
where
    W: for<'w> MakeWriter<'w> + 'static,
{
    /// Writes the line's opening keys up to the message's value (in the default profile
    /// `{"timestamp":…,"level":…,"target":…,"message":`) into a cleared line.
    pub(super) fn header(
        &self,
        scratch: &mut Scratch,
        level: &tracing::Level,
        target: &'static str,
    ) {
        let layout = &self.config.layout;
        let buf = &mut scratch.line.buf;
        layout.push_open(buf);
        scratch.clock.timestamp(buf, SystemTime::now());
        layout.push_level(buf, level);
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
        self.header(scratch, metadata.level(), metadata.target());
        // The macros put `message` first: then one pass writes it in place; otherwise a
        // first pass writes only the message and a second the other fields.
        let message_first = metadata
            .fields()
            .iter()
            .next()
            .is_some_and(|field| field.name() == "message");
        // The access record, under a profile that derives an object from it.
        let profile = self.config.layout.profile;
        let access = (matches!(profile, LogProfile::Gcp | LogProfile::Ecs)
            && metadata.target() == access_log::TARGET)
            .then(|| {
                scratch.access.clear();
                &mut scratch.access
            });
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
            access,
        };
        event.record(&mut visitor);
        visitor.finish_message();
        if !message_first {
            visitor.mode = Mode::EventFields;
            event.record(&mut visitor);
        }
        if let Some(access) = visitor.access.take() {
            access.write(visitor.out, profile);
        }
        if self.span_chain(scratch, event, ctx)
            && let Some(spans) = &scratch.spans
        {
            scratch.line.extend_from(spans.chain());
        }
        self.finish_line(&mut scratch.line.buf, metadata.level());
    }

    /// Appends the static fields (those of a line at `level`) and `}\n`.
    pub(super) fn finish_line(&self, buf: &mut Vec<u8>, level: &tracing::Level) {
        let statics = match (&self.error_statics, *level) {
            (Some(statics), tracing::Level::ERROR) => statics,
            _ => &self.statics,
        };
        buf.extend_from_slice(statics);
        buf.extend_from_slice(b"}\n");
    }

    /// Writes one line with one `write_all`; a failure is dropped, never raised.
    pub(super) fn write_line(&self, metadata: &Metadata<'_>, line: &[u8]) {
        let mut writer = self.make_writer.make_writer_for(metadata);
        let _ = writer.write_all(line);
    }
}
