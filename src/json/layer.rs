//! [`JsonLayer`]: the builder and its `Layer` impl, the events and span callbacks it receives.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::AtomicUsize;

use tracing::{Event, Subscriber, span};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use super::config::{CORE_KEYS, Config, next_config_id};
use super::dropped::{DroppedLineCounter, DroppedLines};
use super::escape;
use super::profile::{ECS_VERSION, Layout, LogProfile};
use super::registry::SpanFields;
use super::scratch::with_scratch;
use super::spans::{self, SpanNode};
use super::visitor::{FieldVisitor, Mode};
use crate::redact::Redactor;

/// The default cap on one string value, in bytes: 16 KiB.
pub const DEFAULT_MAX_VALUE_LEN: usize = 16 * 1024;

/// A `tracing_subscriber::Layer` writing each event as one JSON line; the [module
/// docs](super) say what the line holds.
///
/// # Example
///
/// Built with [`JsonLayer::new`] and the chained setters, on a lossy [non-blocking
/// writer](super::writer), whose dropped lines the layer reports:
///
/// ```
/// use http_observability::json::{JsonLayer, writer};
/// use tracing_subscriber::{Registry, filter::LevelFilter, layer::SubscriberExt};
///
/// let (writer, _guard) = writer::Builder::default().lossy(true).finish(std::io::stdout());
/// let counter = writer.clone();
/// let layer = JsonLayer::new(writer)
///     .service("docs-api")
///     .release("4f1c2d9")
///     .environment("production")
///     .static_field("region", "eu-west-1")
///     .max_value_len(8 * 1024)
///     .report_dropped_lines(counter);
/// let subscriber = Registry::default().with(LevelFilter::INFO).with(layer);
/// tracing::subscriber::with_default(subscriber, || {
///     tracing::info!(user_id = 42, "hello");
/// });
/// ```
pub struct JsonLayer<W> {
    pub(super) make_writer: W,
    pub(super) config: Config,
    service: Option<String>,
    release: Option<String>,
    environment: Option<String>,
    extra_statics: Vec<(String, String)>,
    gcp_project: Option<String>,
    /// The rendered static entries, `,"service":"…",…`, copied at the end of every line.
    pub(super) statics: Vec<u8>,
    /// The static entries of an ERROR line, when the profile adds some there (`gcp`'s
    /// `serviceContext`).
    pub(super) error_statics: Option<Vec<u8>>,
    pub(super) dropped: Option<DroppedLines>,
    /// Identifies this layer in the per-thread [`SpanCache`](super::spans::SpanCache).
    pub(super) id: u64,
}

impl<W> fmt::Debug for JsonLayer<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonLayer")
            .field("config", &self.config)
            .field("statics", &String::from_utf8_lossy(&self.statics))
            .field("dropped", &self.dropped)
            .finish_non_exhaustive()
    }
}

impl<W> JsonLayer<W>
where
    W: for<'w> MakeWriter<'w> + 'static,
{
    /// A layer writing to `make_writer` (`std::io::stdout`, a non-blocking writer, a test
    /// capture...), with the default [`Redactor`], a [`DEFAULT_MAX_VALUE_LEN`] cap and no
    /// static fields.
    pub fn new(make_writer: W) -> Self {
        Self {
            make_writer,
            config: Config {
                redactor: Redactor::default(),
                max_value_len: DEFAULT_MAX_VALUE_LEN,
                static_keys: Vec::new(),
                layout: Layout::of(LogProfile::Default),
                gcp_trace_prefix: Box::default(),
                id: next_config_id(),
            },
            service: None,
            release: None,
            environment: None,
            extra_statics: Vec::new(),
            gcp_project: None,
            statics: Vec::new(),
            error_statics: None,
            dropped: None,
            id: next_config_id(),
        }
    }
}

impl<W> JsonLayer<W> {
    /// Adds `"service"` to every line.
    pub fn service(mut self, service: impl Into<String>) -> Self {
        self.service = Some(service.into());
        self.render_statics();
        self
    }

    /// Adds `"release"` (such as the git SHA of the build) to every line.
    pub fn release(mut self, release: impl Into<String>) -> Self {
        self.release = Some(release.into());
        self.render_statics();
        self
    }

    /// Adds `"environment"` (such as `production`) to every line.
    pub fn environment(mut self, environment: impl Into<String>) -> Self {
        self.environment = Some(environment.into());
        self.render_statics();
        self
    }

    /// Adds a static string field to every line, after `service`, `release` and `environment`;
    /// setting a key again replaces its value, and a core key is ignored (see [the
    /// line](super#the-line)).
    pub fn static_field(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let (key, value) = (key.into(), value.into());
        match key.as_str() {
            "service" => self.service = Some(value),
            "release" => self.release = Some(value),
            "environment" => self.environment = Some(value),
            k if CORE_KEYS.contains(&k) => return self,
            k => match self
                .extra_statics
                .iter_mut()
                .find(|(existing, _)| existing == k)
            {
                Some(slot) => slot.1 = value,
                None => self.extra_statics.push((key, value)),
            },
        }
        self.render_statics();
        self
    }

    /// Writes the keys of `profile` (default: [`LogProfile::Default`]), the ones the
    /// platform's log pipeline reads; see [`LogProfile`].
    pub fn profile(mut self, profile: LogProfile) -> Self {
        self.config.layout = Layout::of(profile);
        self.render_statics();
        self
    }

    /// The Google Cloud project of the `gcp` profile's trace link:
    /// `logging.googleapis.com/trace` is then `projects/<project>/traces/<trace_id>`, the
    /// form Cloud Logging links to Cloud Trace (without it, the bare trace id).
    /// [`init!()`](crate::init!) takes it from `GOOGLE_CLOUD_PROJECT`.
    pub fn gcp_project(mut self, project: impl Into<String>) -> Self {
        self.gcp_project = Some(project.into()).filter(|p| !p.is_empty());
        self.render_statics();
        self
    }

    /// Replaces the deny-list of field names whose values are written as `"[REDACTED]"`
    /// (default: [`Redactor::default`]).
    pub fn redactor(mut self, redactor: Redactor) -> Self {
        self.config.redactor = redactor;
        self.config.id = next_config_id();
        self
    }

    /// Caps one string value at `max` bytes (default [`DEFAULT_MAX_VALUE_LEN`]); a longer
    /// value is cut on a character boundary and ends with `…[truncated, N bytes]`.
    pub fn max_value_len(mut self, max: usize) -> Self {
        self.config.max_value_len = max;
        self
    }

    /// Reports, in a WARN line after the next event, the lines dropped by the lossy
    /// non-blocking writer that `counter` counts (this crate's
    /// [`NonBlocking`](super::writer::NonBlocking), or tracing-appender's
    /// `error_counter()`); see [dropped lines](super#failures-and-dropped-lines).
    pub fn report_dropped_lines(mut self, counter: impl DroppedLineCounter) -> Self {
        self.dropped = Some(DroppedLines {
            counter: Box::new(counter),
            reported: AtomicUsize::new(0),
        });
        self
    }

    /// Renders the static entries once, in the keys of the profile, and the list of reserved
    /// static keys.
    fn render_statics(&mut self) {
        let profile = self.config.layout.profile;
        let (service, release, environment) = (
            self.service.as_deref(),
            self.release.as_deref(),
            self.environment.as_deref(),
        );
        let mut statics = Statics::default();
        if profile == LogProfile::Ecs {
            statics.string("service.name", service);
            statics.string("service.version", release);
            statics.string("service.environment", environment);
            statics.string("ecs.version", Some(ECS_VERSION));
        } else {
            statics.string("service", service);
            statics.string("release", release);
            statics.string("environment", environment);
        }
        if profile == LogProfile::Datadog {
            statics.string("dd.service", service);
            statics.string("dd.env", environment);
            statics.string("dd.version", release);
        }
        for (key, value) in &self.extra_statics {
            // A key the profile writes or reserves is the profile's.
            if !self.config.layout.reserves(key) && !statics.keys.iter().any(|k| **k == **key) {
                statics.string(key, Some(value));
            }
        }
        self.error_statics = (profile == LogProfile::Gcp && service.is_some()).then(|| {
            // Error Reporting takes an ERROR line without a stack trace for an error event
            // by its `@type`, and groups the events by the service.
            let mut error = statics.bytes.clone();
            error.extend_from_slice(GCP_ERROR_TYPE);
            error.extend_from_slice(b",\"serviceContext\":{");
            json_member(&mut error, "service", service.unwrap_or_default());
            if let Some(release) = release {
                error.push(b',');
                json_member(&mut error, "version", release);
            }
            error.push(b'}');
            error
        });
        self.config.gcp_trace_prefix = match (&self.gcp_project, profile) {
            (Some(project), LogProfile::Gcp) => {
                let mut prefix = b"projects/".to_vec();
                escape::escape_into(&mut prefix, project);
                prefix.extend_from_slice(b"/traces/");
                prefix.into()
            }
            _ => Box::default(),
        };
        self.statics = statics.bytes;
        self.config.static_keys = statics.keys;
        self.config.id = next_config_id();
    }
}

/// The `@type` that makes a line an error event for Google Cloud Error Reporting.
const GCP_ERROR_TYPE: &[u8] =
    b",\"@type\":\"type.googleapis.com/google.devtools.clouderrorreporting.v1beta1.ReportedErrorEvent\"";

/// Static entries being rendered, and their keys.
#[derive(Default)]
struct Statics {
    bytes: Vec<u8>,
    keys: Vec<Box<str>>,
}

impl Statics {
    /// Adds `,"key":"value"` when there is a value.
    fn string(&mut self, key: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.bytes.push(b',');
            json_member(&mut self.bytes, key, value);
            self.keys.push(key.into());
        }
    }
}

/// Appends `"key":"value"`, both escaped.
fn json_member(out: &mut Vec<u8>, key: &str, value: &str) {
    out.push(b'"');
    escape::escape_into(out, key);
    out.extend_from_slice(b"\":\"");
    escape::escape_into(out, value);
    out.push(b'"');
}

impl<S, W> Layer<S> for JsonLayer<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + 'static,
{
    fn on_new_span(&self, attrs: &span::Attributes<'_>, id: &span::Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        let parent = span.parent().and_then(|parent| {
            parent
                .extensions()
                .get::<SpanFields>()
                .and_then(|f| f.node().cloned())
        });
        let node = SpanNode::create(parent, |own| {
            self.render_span_fields(own, |visitor| attrs.record(visitor));
        });
        // Several JSON layers on one registry share the fields rendered by the first (the
        // others render them too, then give their node back: checked only here, under the
        // one lock, since one layer per registry is the usual case).
        let mut extensions = span.extensions_mut();
        if extensions.get_mut::<SpanFields>().is_none() {
            extensions.insert(SpanFields(Some(node)));
        } else {
            drop(extensions);
            spans::recycle_node(node);
        }
    }

    fn on_record(&self, id: &span::Id, values: &span::Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        // Not holding the span's extensions while user values are formatted.
        let Some(node) = span
            .extensions()
            .get::<SpanFields>()
            .and_then(|f| f.node().cloned())
        else {
            return;
        };
        // Rendered in the reused buffer, from which the node copies it.
        with_scratch(|scratch| {
            scratch.span.clear();
            let mut visitor = FieldVisitor {
                out: &mut scratch.span,
                text: &mut scratch.text,
                keys: &mut scratch.keys,
                config: &self.config,
                mode: Mode::SpanFields,
                message_pending: false,
                access: None,
            };
            values.record(&mut visitor);
            // The new values first, then the old entries whose keys were not recorded again.
            if !scratch.span.is_empty() {
                node.record(&scratch.span);
            }
        });
        spans::recycle_node(node);
    }

    fn on_enter(&self, _: &span::Id, _: Context<'_, S>) {
        spans::bump_epoch();
    }

    fn on_exit(&self, _: &span::Id, _: Context<'_, S>) {
        spans::bump_epoch();
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        // A panicking `Display` impl loses its line, never the application's request.
        let _ = catch_unwind(AssertUnwindSafe(|| {
            with_scratch(|scratch| {
                self.format_event(scratch, event, &ctx);
                self.write_line(event.metadata(), &scratch.line.buf);
            });
            self.report_dropped(event.metadata());
        }));
    }
}
