//! [`JsonLayer`]: configuration, span storage and the line writer.

use std::cell::RefCell;
use std::fmt;
use std::io::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

use tracing::{Event, Metadata, Subscriber, span};
use tracing_appender::non_blocking::ErrorCounter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::{LookupSpan, SpanRef};

use super::clock::Clock;
use super::config::{CORE_KEYS, Config, next_config_id};
use super::entries::Fields;
use super::key_cache::KeyCache;
use super::spans::{self, SpanCache, SpanNode};
use super::visitor::{FieldVisitor, Mode};
use super::{escape, number};
use crate::redact::Redactor;

/// The default cap on one string value, in bytes: 16 KiB.
pub const DEFAULT_MAX_VALUE_LEN: usize = 16 * 1024;

/// The target of the line reporting dropped lines.
pub const DROPPED_LINES_TARGET: &str = "http_observability::json";

/// A reused buffer grown beyond this is freed after its line, so that one huge line does not
/// pin memory for the life of the thread.
const KEEP_CAPACITY: usize = 256 * 1024;

/// A `tracing_subscriber::Layer` writing each event as one JSON line.
///
/// See the [module docs](super) for the line layout and the rules. Build it with
/// [`JsonLayer::new`] and the chained setters, and add it to a `Registry`:
///
/// # Example
///
/// ```
/// use http_observability::json::JsonLayer;
/// use tracing_subscriber::{Registry, filter::LevelFilter, layer::SubscriberExt};
///
/// let layer = JsonLayer::new(std::io::stdout)
///     .service("docs-api")
///     .release("4f1c2d9")
///     .environment("production")
///     .static_field("region", "eu-west-1")
///     .max_value_len(8 * 1024);
/// let subscriber = Registry::default().with(LevelFilter::INFO).with(layer);
/// tracing::subscriber::with_default(subscriber, || {
///     tracing::info!(user_id = 42, "hello");
/// });
/// ```
pub struct JsonLayer<W> {
    make_writer: W,
    config: Config,
    service: Option<String>,
    release: Option<String>,
    environment: Option<String>,
    extra_statics: Vec<(String, String)>,
    /// The rendered static entries, `,"service":"…",…`, copied at the end of every line.
    statics: Vec<u8>,
    dropped: Option<DroppedLines>,
    /// Identifies this layer in the per-thread [`SpanCache`].
    id: u64,
}

/// The counter of a lossy writer and how much of it was already reported.
#[derive(Debug)]
struct DroppedLines {
    counter: ErrorCounter,
    reported: AtomicUsize,
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
    ///
    /// # Example
    ///
    /// ```
    /// let layer = http_observability::json::JsonLayer::new(std::io::stderr);
    /// ```
    pub fn new(make_writer: W) -> Self {
        Self {
            make_writer,
            config: Config {
                redactor: Redactor::default(),
                max_value_len: DEFAULT_MAX_VALUE_LEN,
                static_keys: Vec::new(),
                id: next_config_id(),
            },
            service: None,
            release: None,
            environment: None,
            extra_statics: Vec::new(),
            statics: Vec::new(),
            dropped: None,
            id: next_config_id(),
        }
    }
}

impl<W> JsonLayer<W> {
    /// Adds `"service"` to every line.
    ///
    /// # Example
    ///
    /// ```
    /// let layer = http_observability::json::JsonLayer::new(std::io::stdout).service("docs-api");
    /// ```
    pub fn service(mut self, service: impl Into<String>) -> Self {
        self.service = Some(service.into());
        self.render_statics();
        self
    }

    /// Adds `"release"` (such as the git SHA of the build) to every line.
    ///
    /// # Example
    ///
    /// ```
    /// let layer = http_observability::json::JsonLayer::new(std::io::stdout).release("4f1c2d9");
    /// ```
    pub fn release(mut self, release: impl Into<String>) -> Self {
        self.release = Some(release.into());
        self.render_statics();
        self
    }

    /// Adds `"environment"` (such as `production`) to every line.
    ///
    /// # Example
    ///
    /// ```
    /// let layer = http_observability::json::JsonLayer::new(std::io::stdout).environment("staging");
    /// ```
    pub fn environment(mut self, environment: impl Into<String>) -> Self {
        self.environment = Some(environment.into());
        self.render_statics();
        self
    }

    /// Adds a static string field to every line, after `service`, `release` and
    /// `environment`. Setting a key again replaces its value; `service`, `release` and
    /// `environment` go to their setters. The core keys (`timestamp`, `level`, `target`,
    /// `message`) cannot be static fields: such a call is ignored.
    ///
    /// Like the core keys, a static key is reserved: a user field with the same name is
    /// written as `fields.<key>`.
    ///
    /// # Example
    ///
    /// ```
    /// let layer = http_observability::json::JsonLayer::new(std::io::stdout)
    ///     .static_field("region", "eu-west-1")
    ///     .static_field("pod", "docs-api-7c9f");
    /// ```
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

    /// Replaces the deny-list of field names whose values are written as `"[REDACTED]"`
    /// (default: [`Redactor::default`]).
    ///
    /// # Example
    ///
    /// ```
    /// use http_observability::{json::JsonLayer, redact::Redactor};
    ///
    /// let layer = JsonLayer::new(std::io::stdout).redactor(Redactor::default().deny("ssn"));
    /// ```
    pub fn redactor(mut self, redactor: Redactor) -> Self {
        self.config.redactor = redactor;
        self.config.id = next_config_id();
        self
    }

    /// Caps one string value at `max` bytes (default [`DEFAULT_MAX_VALUE_LEN`]); a longer
    /// value is cut on a character boundary and ends with `…[truncated, N bytes]`.
    ///
    /// # Example
    ///
    /// ```
    /// let layer = http_observability::json::JsonLayer::new(std::io::stdout).max_value_len(1024);
    /// ```
    pub fn max_value_len(mut self, max: usize) -> Self {
        self.config.max_value_len = max;
        self
    }

    /// Reports the lines a lossy non-blocking writer dropped: after the next event, a WARN
    /// line with target [`DROPPED_LINES_TARGET`] carries `dropped_lines` (since the last
    /// report) and `dropped_lines_total`.
    ///
    /// # Example
    ///
    /// ```
    /// use http_observability::json::JsonLayer;
    /// use tracing_appender::non_blocking::NonBlockingBuilder;
    ///
    /// let (writer, _guard) = NonBlockingBuilder::default().lossy(true).finish(std::io::stdout());
    /// let counter = writer.error_counter();
    /// let layer = JsonLayer::new(writer).report_dropped_lines(counter);
    /// ```
    pub fn report_dropped_lines(mut self, counter: ErrorCounter) -> Self {
        self.dropped = Some(DroppedLines {
            counter,
            reported: AtomicUsize::new(0),
        });
        self
    }

    /// Renders the static entries once, and the list of reserved static keys.
    fn render_statics(&mut self) {
        self.statics.clear();
        self.config.static_keys.clear();
        let named = [
            ("service", &self.service),
            ("release", &self.release),
            ("environment", &self.environment),
        ];
        let named = named
            .into_iter()
            .filter_map(|(k, v)| Some((k, v.as_deref()?)));
        let extra = self
            .extra_statics
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()));
        for (key, value) in named.chain(extra) {
            self.statics.extend_from_slice(b",\"");
            escape::escape_into(&mut self.statics, key);
            self.statics.extend_from_slice(b"\":\"");
            escape::escape_into(&mut self.statics, value);
            self.statics.push(b'"');
            self.config.static_keys.push(key.into());
        }
        self.config.id = next_config_id();
    }
}

/// A span's fields, rendered once as `,"key":value` entries, with those of its ancestors,
/// kept in the span's extensions. Always `Some` until dropped, when the node is given back
/// for reuse.
///
/// The registry drops it when it clears the closed span's slot, before the span's ID can be
/// given to another span: that is when the node is marked closed (no `on_close` needed).
#[derive(Debug)]
struct SpanFields(Option<Arc<SpanNode>>);

impl SpanFields {
    /// The span's node.
    fn node(&self) -> Option<&Arc<SpanNode>> {
        self.0.as_ref()
    }
}

impl Drop for SpanFields {
    fn drop(&mut self) {
        if let Some(node) = self.0.take() {
            node.close();
            spans::recycle_node(node);
        }
    }
}

/// The per-thread reused state: the line, the scratch text and the date cache.
#[derive(Debug, Default)]
struct Scratch {
    line: Fields,
    /// Where a span's fields are rendered before being copied out at their exact size.
    span: Fields,
    text: String,
    clock: Clock,
    keys: KeyCache,
    spans: Option<SpanCache>,
    /// The layer and the thread's epoch at which no span was current.
    outside: Option<(u64, u64)>,
    /// The address and length of the last `'static` target found to need no escaping.
    plain_target: Option<(usize, usize)>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch {
        line: Fields::with_capacity(1024),
        span: Fields::with_capacity(256),
        text: String::with_capacity(256),
        clock: Clock::default(),
        keys: KeyCache::default(),
        spans: None,
        outside: None,
        plain_target: None,
    });
}

/// Runs `f` with this thread's scratch state, or with a fresh one when it is busy (an event
/// emitted while formatting one, such as from a `Display` impl) or already destroyed.
fn with_scratch(f: impl FnOnce(&mut Scratch)) {
    let mut f = Some(f);
    let _ = SCRATCH.try_with(|cell| {
        if let Ok(mut scratch) = cell.try_borrow_mut() {
            if let Some(f) = f.take() {
                f(&mut scratch);
            }
            if scratch.line.capacity() > KEEP_CAPACITY {
                scratch.line = Fields::default();
            }
            if scratch.span.capacity() > KEEP_CAPACITY {
                scratch.span = Fields::default();
            }
            if scratch.text.capacity() > KEEP_CAPACITY {
                scratch.text = String::new();
            }
        }
    });
    if let Some(f) = f.take() {
        f(&mut Scratch::default());
    }
}

impl<W> JsonLayer<W>
where
    W: for<'w> MakeWriter<'w> + 'static,
{
    /// Writes `{"timestamp":…,"level":…,"target":…,"message":` into a cleared line.
    fn header(scratch: &mut Scratch, level: &tracing::Level, target: &'static str) {
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
    fn format_event<S>(&self, scratch: &mut Scratch, event: &Event<'_>, ctx: &Context<'_, S>)
    where
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

    /// Puts the chain of the event's innermost span in `scratch.spans`; `false` when the
    /// event is in no span. The registry is asked which span is current only after a span
    /// was entered or exited on this thread, and for the span's fields only when it differs
    /// from the last event's.
    fn span_chain<S>(&self, scratch: &mut Scratch, event: &Event<'_>, ctx: &Context<'_, S>) -> bool
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        if event.is_root() {
            return false;
        }
        let (span, epoch) = if event.is_contextual() {
            let epoch = spans::epoch();
            if let Some(epoch) = epoch {
                if scratch.outside == Some((self.id, epoch)) {
                    return false;
                }
                if SpanCache::hit_current(&mut scratch.spans, self.id, epoch) {
                    return true;
                }
            }
            // The innermost span this layer sees (per-layer filters may hide the current
            // one), found in one registry lookup.
            let Some(span) = ctx.lookup_current() else {
                scratch.outside = epoch.map(|epoch| (self.id, epoch));
                return false;
            };
            if SpanCache::hit(&mut scratch.spans, self.id, &span.id(), epoch) {
                return true;
            }
            (span, epoch)
        } else {
            let Some(id) = event.parent() else {
                return false;
            };
            if SpanCache::hit(&mut scratch.spans, self.id, id, None) {
                return true;
            }
            let Some(span) = ctx.event_span(event) else {
                return false;
            };
            if span.id() != *id {
                // A span hidden by a per-layer filter: not remembered under its ID.
                return self.fill_cache(scratch, &span, None, None);
            }
            (span, None)
        };
        let id = span.id();
        self.fill_cache(scratch, &span, Some(&id), epoch)
    }

    /// Remembers the chain of `span` as that of events in span `id` (if given), current at
    /// `epoch` (if given); `false` when the span has no fields node.
    fn fill_cache<S>(
        &self,
        scratch: &mut Scratch,
        span: &SpanRef<'_, S>,
        id: Option<&span::Id>,
        epoch: Option<u64>,
    ) -> bool
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let Some(node) = span
            .extensions()
            .get::<SpanFields>()
            .and_then(|f| f.node().cloned())
        else {
            scratch.spans = None;
            return false;
        };
        SpanCache::fill(&mut scratch.spans, self.id, id, epoch, &node);
        true
    }

    /// Appends the static fields and `}\n`.
    fn finish_line(&self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(&self.statics);
        buf.extend_from_slice(b"}\n");
    }

    /// Writes one line with one `write_all`; a failure is dropped, never raised.
    fn write_line(&self, metadata: &Metadata<'_>, line: &[u8]) {
        let mut writer = self.make_writer.make_writer_for(metadata);
        let _ = writer.write_all(line);
    }

    /// After an event, reports lines the writer dropped since the last report, if any.
    fn report_dropped(&self, metadata: &Metadata<'_>) {
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
            Self::header(scratch, &tracing::Level::WARN, DROPPED_LINES_TARGET);
            let buf = &mut scratch.line.buf;
            buf.extend_from_slice(b"\"log lines were dropped: the writer was full\"");
            buf.extend_from_slice(b",\"dropped_lines\":");
            number::u64_value(buf, (total - reported) as u64);
            buf.extend_from_slice(b",\"dropped_lines_total\":");
            number::u64_value(buf, total as u64);
            self.finish_line(buf);
            self.write_line(metadata, &scratch.line.buf);
        });
    }

    /// Renders span entries with `record` into `out`.
    fn render_span_fields(&self, out: &mut Fields, record: impl FnOnce(&mut FieldVisitor<'_>)) {
        with_scratch(|scratch| {
            let mut visitor = FieldVisitor {
                out,
                text: &mut scratch.text,
                keys: &mut scratch.keys,
                config: &self.config,
                mode: Mode::SpanFields,
                message_pending: false,
            };
            record(&mut visitor);
        });
    }
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
