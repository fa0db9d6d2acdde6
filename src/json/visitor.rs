//! The `tracing` visitor: writes each field as a `,"key":value` entry, and an event's message
//! as the value of its key.

use std::error::Error;
use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};

use super::config::Config;
use super::derived::{self, AccessCapture};
use super::entries::Fields;
use super::key_cache::KeyCache;
use super::{number, text};
use crate::redact::REDACTED;

/// How much of a `Display`/`Debug` value is kept beyond the cap before cutting: enough for a
/// URL cut at the cap to still be recognised and masked.
const MASK_LOOKAHEAD: usize = 1024;

/// What a [`FieldVisitor`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// All of an event whose first field is `message`, in one pass: the message value right
    /// after its key (already written), then the other fields as entries.
    Event,
    /// Only the value of the event's `message` field (the key is already written).
    Message,
    /// The event's fields except `message`, as entries.
    EventFields,
    /// A span's fields, as entries (a span's `message` field is an ordinary, reserved name).
    SpanFields,
}

/// The `tracing` visitor writing values as JSON into [`Fields`].
pub(crate) struct FieldVisitor<'a> {
    pub(crate) out: &'a mut Fields,
    /// Scratch space for `Display`/`Debug`/error values, reused.
    pub(crate) text: &'a mut String,
    pub(crate) keys: &'a mut KeyCache,
    pub(crate) config: &'a Config,
    pub(crate) mode: Mode,
    /// Whether the event's message value is still to be written (`Event`, `Message` modes).
    pub(crate) message_pending: bool,
    /// Keeps the access record's values for the profile's platform object (event modes).
    pub(crate) access: Option<&'a mut AccessCapture>,
}

/// What to do with one field.
enum Plan {
    Skip,
    /// Write the message value (a string, whatever its type).
    Message,
    Write,
    Redact,
}

impl FieldVisitor<'_> {
    /// Writes the key of `field` if it is to be written and returns what to do with its value.
    fn begin(&mut self, field: &Field) -> Plan {
        self.begin_named(field.name())
    }

    /// [`FieldVisitor::begin`] for the field called `name`.
    fn begin_named(&mut self, name: &'static str) -> Plan {
        let is_message = name == "message";
        match self.mode {
            Mode::Event | Mode::Message if is_message => {
                if !std::mem::take(&mut self.message_pending) {
                    return Plan::Skip;
                }
                return Plan::Message;
            }
            Mode::Message => return Plan::Skip,
            Mode::EventFields if is_message => return Plan::Skip,
            Mode::Event => {
                // The message slot comes first: an event without a message value gets "".
                if std::mem::take(&mut self.message_pending) {
                    self.out.buf.extend_from_slice(b"\"\"");
                }
            }
            Mode::EventFields | Mode::SpanFields => {}
        }
        let (written, sensitive) = match self.keys.lookup(name, self.config) {
            Ok(slot) => {
                let written = match (slot.decision.hash, usize::from(slot.rendered_len)) {
                    (Some(hash), len @ 1..) => self.out.begin_rendered(&slot.rendered, len, hash),
                    _ => self.out.begin_entry(&mut slot.decision.clone(), name),
                };
                (written, slot.decision.sensitive)
            }
            Err(index) => {
                let mut decision = KeyCache::decide(name, self.config);
                let start = self.out.write_key(&mut decision, name);
                let rendered = &self.out.buf[start.0..];
                self.keys
                    .store(index, name, self.config, decision, rendered);
                (self.out.commit_key(start), decision.sensitive)
            }
        };
        match (written, sensitive) {
            (false, _) => Plan::Skip,
            (true, true) => Plan::Redact,
            (true, false) => Plan::Write,
        }
    }

    /// Ends an event pass: writes `""` if the message is still pending.
    pub(crate) fn finish_message(&mut self) {
        if std::mem::take(&mut self.message_pending) {
            self.out.buf.extend_from_slice(b"\"\"");
        }
    }

    fn redacted(&mut self) {
        self.out.buf.push(b'"');
        self.out.buf.extend_from_slice(REDACTED.as_bytes());
        self.out.buf.push(b'"');
    }

    /// Writes the value `render` writes as a string, masked: straight into the line while it
    /// is plain, else through the scratch text, bounded, then escaped, masked and cut.
    fn text_value(&mut self, render: impl FnOnce(&mut text::StreamedText<'_>) -> fmt::Result) {
        self.text.clear();
        let start = self.out.buf.len();
        self.out.buf.push(b'"');
        let mut streamed = text::StreamedText {
            out: &mut self.out.buf,
            start,
            max: self.config.max_value_len,
            capped: text::CappedText {
                text: self.text,
                keep: self.config.max_value_len.saturating_add(MASK_LOOKAHEAD),
                total: 0,
            },
            streaming: true,
        };
        // A failing `Display` keeps what it wrote so far; it never fails the line.
        let _ = render(&mut streamed);
        streamed.finish(&self.config.redactor);
    }
}

impl Visit for FieldVisitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        match self.begin(field) {
            Plan::Skip => {}
            Plan::Redact => self.redacted(),
            Plan::Write | Plan::Message => self.text_value(|w| write!(w, "{value:?}")),
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        match self.begin(field) {
            Plan::Skip => {}
            Plan::Redact => self.redacted(),
            plan @ (Plan::Write | Plan::Message) => {
                let start = self.out.buf.len();
                text::string_value(
                    &mut self.out.buf,
                    value,
                    self.config.max_value_len,
                    value.len(),
                    &self.config.redactor,
                );
                if let Plan::Write = plan {
                    self.derive_from_str(field.name(), value, start);
                }
            }
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn Error + 'static)) {
        match self.begin(field) {
            Plan::Skip => {}
            Plan::Redact => self.redacted(),
            Plan::Write | Plan::Message => self.text_value(|w| {
                write!(w, "{value}")?;
                let mut source = value.source();
                while let Some(error) = source {
                    write!(w, ": {error}")?;
                    source = error.source();
                }
                Ok(())
            }),
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        if let Some(access) = self.access.as_deref_mut() {
            access.f64(field.name(), value);
        }
        self.number(field, |out| number::f64_value(out, value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.number(field, |out| number::i64_value(out, value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if let Some(access) = self.access.as_deref_mut() {
            access.u64(field.name(), value);
        }
        self.number(field, |out| number::u64_value(out, value));
    }

    fn record_i128(&mut self, field: &Field, value: i128) {
        self.number(field, |out| number::i128_value(out, value));
    }

    fn record_u128(&mut self, field: &Field, value: u128) {
        self.number(field, |out| number::u128_value(out, value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.number(field, |out| number::bool_value(out, value));
    }
}

impl FieldVisitor<'_> {
    /// After the string field `name` was written from `start` on: what the profile derives
    /// from it (a span's trace link, the access record's values).
    #[inline]
    fn derive_from_str(&mut self, name: &str, value: &str, start: usize) {
        if self.access.is_none() && self.mode != Mode::SpanFields {
            return;
        }
        if let Some(access) = self.access.as_deref_mut() {
            if let Some(written) = self.out.buf.get(start..) {
                access.str(name, written);
            }
        } else if self.mode == Mode::SpanFields
            && derived::is_trace_field(self.config.layout.profile, name)
        {
            derived::trace_keys(self.out, self.config, name, value);
        }
    }

    /// Writes a non-string value; as a string for the message, since `message` is one.
    fn number(&mut self, field: &Field, write: impl FnOnce(&mut Vec<u8>)) {
        match self.begin(field) {
            Plan::Skip => {}
            Plan::Redact => self.redacted(),
            Plan::Message => {
                let start = self.out.buf.len();
                write(&mut self.out.buf);
                // Numbers and booleans need no escaping; NaN and infinities come quoted.
                if self.out.buf.get(start) != Some(&b'"') {
                    self.out.buf.insert(start, b'"');
                    self.out.buf.push(b'"');
                }
            }
            Plan::Write => write(&mut self.out.buf),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::config::test_config;

    #[test]
    fn a_cached_key_is_written_and_deduplicated_like_a_new_one() {
        let mut cache = KeyCache::default();
        let c = test_config();
        let mut text = String::new();
        let mut out = Fields::default();
        for _ in 0..2 {
            let mut visitor = FieldVisitor {
                out: &mut out,
                text: &mut text,
                keys: &mut cache,
                config: &c,
                mode: Mode::SpanFields,
                message_pending: false,
                access: None,
            };
            // Reserved, escaped, plain; then, second time round, all already present.
            for name in [
                "service",
                "a\"b",
                "user_id",
                "a_key_too_long_to_be_kept_ready_made",
            ] {
                if matches!(visitor.begin_named(name), Plan::Write) {
                    visitor.out.buf.push(b'1');
                }
            }
        }
        assert_eq!(
            String::from_utf8_lossy(&out.buf),
            r#","fields.service":1,"a\"b":1,"user_id":1,"a_key_too_long_to_be_kept_ready_made":1"#
        );
    }
}
