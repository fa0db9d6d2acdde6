//! The pretty output, masked: tracing-subscriber's pretty format, its look kept, with every
//! field value going through the [`Redactor`] first, as in the JSON lines.

use std::error::Error;
use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit, display};
use tracing::{Event, Subscriber, Value, span};
use tracing_subscriber::field::{RecordFields, VisitOutput};
use tracing_subscriber::fmt::format::{FormatEvent, FormatFields, PrettyVisitor, Writer};
use tracing_subscriber::fmt::{FmtContext, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

use crate::redact::{REDACTED, Redactor};

/// A visitor handing `inner` each value masked: a field whose name is on the deny-list as
/// `"[REDACTED]"`, strings, `Debug` values and error chains through [`Redactor::mask`].
struct Masking<'r, V> {
    inner: V,
    redactor: &'r Redactor,
    /// Scratch space for `Debug` values.
    text: String,
}

impl<'r, V> Masking<'r, V> {
    fn new(inner: V, redactor: &'r Redactor) -> Self {
        Self {
            inner,
            redactor,
            text: String::new(),
        }
    }

    /// Whether the value of `field` is replaced whole (an event's message never is, as in
    /// the JSON lines).
    fn hidden(&self, field: &Field) -> bool {
        field.name() != "message" && self.redactor.is_sensitive(field.name())
    }
}

/// An error chain with its messages masked, standing for the original one.
#[derive(Debug)]
struct MaskedError {
    message: String,
    source: Option<Box<MaskedError>>,
}

impl MaskedError {
    /// The chain of `error`, each message masked by `redactor` (copied as is without one).
    fn new(error: &(dyn Error + 'static), redactor: Option<&Redactor>) -> Self {
        let message = error.to_string();
        Self {
            message: match redactor {
                Some(r) => r.mask(&message).into_owned(),
                None => message,
            },
            source: error
                .source()
                .map(|source| Box::new(Self::new(source, redactor))),
        }
    }
}

impl fmt::Display for MaskedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for MaskedError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn Error + 'static))
    }
}

/// Forwards a number, unless its name is on the deny-list.
macro_rules! forward {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method(&mut self, field: &Field, value: $ty) {
            if self.hidden(field) {
                self.inner.record_str(field, REDACTED);
            } else {
                self.inner.$method(field, value);
            }
        })*
    };
}

impl<V: Visit> Visit for Masking<'_, V> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if self.hidden(field) {
            self.inner.record_str(field, REDACTED);
        } else {
            self.inner.record_str(field, &self.redactor.mask(value));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.hidden(field) {
            self.inner.record_str(field, REDACTED);
            return;
        }
        self.text.clear();
        // A failing `Debug` keeps what it wrote so far.
        let _ = write!(self.text, "{value:?}");
        let masked = self.redactor.mask(&self.text);
        // Shown as it was written, as the `Debug` value itself would be.
        self.inner.record_debug(field, &format_args!("{masked}"));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn Error + 'static)) {
        if self.hidden(field) {
            self.inner.record_str(field, REDACTED);
        } else {
            self.inner
                .record_error(field, &MaskedError::new(value, Some(self.redactor)));
        }
    }

    forward!(record_i64: i64, record_u64: u64, record_i128: i128, record_u128: u128,
        record_f64: f64, record_bool: bool);
}

/// Span fields in the pretty look, masked; see the [module docs](self).
#[derive(Debug, Clone)]
pub(super) struct MaskedFields {
    redactor: Redactor,
}

impl MaskedFields {
    pub(super) fn new(redactor: Redactor) -> Self {
        Self { redactor }
    }
}

// As tracing-subscriber's `Pretty` field formatter does, with the values masked.
impl<'writer> FormatFields<'writer> for MaskedFields {
    fn format_fields<R: RecordFields>(&self, writer: Writer<'writer>, fields: R) -> fmt::Result {
        let mut v = Masking::new(PrettyVisitor::new(writer, true), &self.redactor);
        fields.record(&mut v);
        v.inner.finish()
    }

    fn add_fields(
        &self,
        current: &'writer mut FormattedFields<Self>,
        fields: &span::Record<'_>,
    ) -> fmt::Result {
        let empty = current.is_empty();
        let mut v = Masking::new(
            PrettyVisitor::new(current.as_writer(), empty),
            &self.redactor,
        );
        fields.record(&mut v);
        v.inner.finish()
    }
}

/// The event formatter `F` (tracing-subscriber's pretty one) given a copy of each event
/// whose values are masked.
#[derive(Debug)]
pub(super) struct MaskedEvents<F> {
    inner: F,
    redactor: Redactor,
}

impl<F> MaskedEvents<F> {
    pub(super) fn new(inner: F, redactor: Redactor) -> Self {
        Self { inner, redactor }
    }
}

/// Keeps a number as it is.
macro_rules! keep {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method(&mut self, field: &Field, value: $ty) {
            self.push(field, value);
        })*
    };
}

/// The values of an event, masked, kept to build the copy.
#[derive(Default)]
struct Collected(Vec<(Field, Box<dyn Value>)>);

impl Collected {
    fn push(&mut self, field: &Field, value: impl Value + 'static) {
        self.0.push((field.clone(), Box::new(value)));
    }
}

impl Visit for Collected {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.push(field, value.to_owned());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        // Only called by `Masking` with text already masked and shown as written.
        self.push(field, display(format!("{value:?}")));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn Error + 'static)) {
        // Only called by `Masking`, with a chain already masked.
        let copy: Box<dyn Error + 'static> = Box::new(MaskedError::new(value, None));
        self.push(field, copy);
    }
    keep!(record_i64: i64, record_u64: u64, record_i128: i128, record_u128: u128,
        record_f64: f64, record_bool: bool);
}

/// The most fields an event written by `tracing`'s macros has.
const MAX_FIELDS: usize = 32;

impl<S, N, F> FormatEvent<S, N> for MaskedEvents<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut masking = Masking::new(Collected::default(), &self.redactor);
        event.record(&mut masking);
        let collected = masking.inner.0;
        let Some((pad, _)) = collected.first() else {
            return self.inner.format_event(ctx, writer, event);
        };
        // The same fields (of the same callsite), in the same order, with masked values.
        let mut values: [(&Field, Option<&dyn Value>); MAX_FIELDS] = [(pad, None); MAX_FIELDS];
        for (slot, (field, value)) in values.iter_mut().zip(&collected) {
            *slot = (field, Some(&**value));
        }
        let metadata = event.metadata();
        let values = metadata.fields().value_set(&values);
        let copy = if event.is_contextual() {
            Event::new(metadata, &values)
        } else {
            Event::new_child_of(event.parent().cloned(), metadata, &values)
        };
        self.inner.format_event(ctx, writer, &copy)
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use tracing_subscriber::layer::SubscriberExt as _;

    use super::*;
    use crate::init::test_capture::Capture;

    // Read by its `Debug`.
    #[allow(dead_code)]
    #[derive(Debug)]
    struct Config {
        db_password: &'static str,
        port: u16,
    }

    #[derive(Debug)]
    struct Outer(io::Error);

    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("connect failed")
        }
    }

    impl Error for Outer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&self.0)
        }
    }

    /// Logs the same events under `masked` or not, without timestamps.
    fn output(masked: bool, log: impl Fn()) -> String {
        let capture = Capture::default();
        let writer = {
            let capture = capture.clone();
            move || capture.clone()
        };
        let layer = tracing_subscriber::fmt::layer()
            .pretty()
            .without_time()
            .with_ansi(false)
            .with_writer(writer);
        let dispatch = if masked {
            let r = Redactor::default();
            tracing::Dispatch::new(
                tracing_subscriber::registry().with(
                    layer
                        .fmt_fields(MaskedFields::new(r.clone()))
                        .map_event_format(|f| MaskedEvents::new(f, r)),
                ),
            )
        } else {
            tracing::Dispatch::new(tracing_subscriber::registry().with(layer))
        };
        tracing::dispatcher::with_default(&dispatch, log);
        capture.text()
    }

    #[test]
    fn pretty_output_is_masked_like_the_json_lines() {
        let text = output(true, || {
            let span =
                tracing::info_span!("request", token = "CANARY1", url = "redis://:CANARY2@h");
            let _entered = span.enter();
            span.record("url", "http://x;postgres://u:CANARY3@h");
            tracing::info!(
                password = "CANARY4",
                secret = %"CANARY5 and more",
                api_key = 7,
                config = ?Config { db_password: "CANARY6", port: 5432 },
                body = r#"{"user":"bob","password":"CANARY7"}"#,
                "connecting with password=CANARY8 and Authorization: Bearer CANARY9"
            );
            let err = Outer(io::Error::other("password=CANARY10"));
            tracing::error!(error = &err as &dyn Error, "failed");
        });
        assert!(!text.contains("CANARY"), "{text}");
        for kept in [
            "password: \"[REDACTED]\"",
            "secret: \"[REDACTED]\"",
            "api_key: \"[REDACTED]\"",
            "Config { db_password: \"[REDACTED]\", port: 5432 }",
            "connecting with password=[REDACTED] and Authorization: Bearer [REDACTED]",
            "in http_observability::init::pretty::tests::request with token: \"[REDACTED]\"",
            "redis://:***@h",
            "connect failed",
            "password=[REDACTED]",
        ] {
            assert!(text.contains(kept), "{kept:?} in {text}");
        }
    }

    #[test]
    fn without_secrets_the_look_is_tracing_subscribers() {
        let log = || {
            let span = tracing::info_span!("request", method = "GET", id = 7);
            let _entered = span.enter();
            tracing::info!(
                user_id = 42,
                path = "/api/docs",
                latency_ms = 12.5,
                ok = true,
                "request finished"
            );
            let err = Outer(io::Error::other("refused"));
            tracing::error!(error = &err as &dyn Error, detail = ?Some(3), "failed");
        };
        let plain = output(false, log);
        assert!(plain.contains("request finished"), "{plain}");
        assert_eq!(output(true, log), plain);
    }
}
