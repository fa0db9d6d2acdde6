//! The JSON-lines tracing formatter: one JSON object per event, with the fields of every
//! enclosing span at top level, zero allocations per event.
//!
//! # Example
//!
//! ```
//! use http_observability::json::JsonLayer;
//! use tracing_subscriber::{Registry, filter::LevelFilter, layer::SubscriberExt};
//!
//! let layer = JsonLayer::new(std::io::stdout)
//!     .service("docs-api")
//!     .release("4f1c2d9")
//!     .environment("production");
//! let subscriber = Registry::default().with(LevelFilter::INFO).with(layer);
//! tracing::subscriber::with_default(subscriber, || {
//!     let request = tracing::info_span!(
//!         "request",
//!         request_id = "0192f1c4-7d3e-7a2b-9c1d-5e6f7a8b9c0d",
//!         http.request.method = "GET",
//!     );
//!     let _request = request.enter();
//!     let handler = tracing::info_span!("handler", doc_id = 7);
//!     let _handler = handler.enter();
//!     tracing::info!(
//!         target: "docs_api",
//!         user_id = 42,
//!         path = "/api/docs",
//!         latency_ms = 12.5,
//!         "request finished"
//!     );
//!     tracing::warn!(
//!         target: "docs_api",
//!         password = "hunter2",
//!         upstream = "postgres://app:s3cret@db/app",
//!         level = "custom",
//!         "retrying\n{}",
//!         2
//!     );
//! });
//! ```
//!
//! writes these two lines (real output):
//!
//! ```text
//! {"timestamp":"2026-11-26T16:47:17.684822Z","level":"INFO","target":"docs_api","message":"request finished","user_id":42,"path":"/api/docs","latency_ms":12.5,"doc_id":7,"request_id":"0192f1c4-7d3e-7a2b-9c1d-5e6f7a8b9c0d","http.request.method":"GET","service":"docs-api","release":"4f1c2d9","environment":"production"}
//! {"timestamp":"2026-11-26T16:47:17.684860Z","level":"WARN","target":"docs_api","message":"retrying\n2","password":"[REDACTED]","upstream":"postgres://app:***@db/app","fields.level":"custom","doc_id":7,"request_id":"0192f1c4-7d3e-7a2b-9c1d-5e6f7a8b9c0d","http.request.method":"GET","service":"docs-api","release":"4f1c2d9","environment":"production"}
//! ```
//!
//! [`init!()`](crate::init!) sets this layer up on stdout from the environment.
//!
//! # The line
//!
//! One JSON object and a `\n` per event, its keys in this order, each key at most once:
//!
//! 1. `timestamp` (RFC 3339, UTC, microseconds), `level`, `target`, `message` (always present;
//!    `""` for an event without one).
//! 2. The event's fields.
//! 3. The fields of every enclosing span, innermost first. On the same key an event field wins
//!    over span fields, and an inner span over outer ones: the access-log event repeats
//!    `request_id`, and it comes out once.
//! 4. The static fields: `service`, `release`, `environment`, then those of
//!    [`JsonLayer::static_field`], in that order, when set.
//!
//! Field names are kept as they are, dots included (`http.request.method` is one flat key).
//! A user field named like a core key or a configured static key is written as
//! `fields.<name>` (`"fields.level":"custom"` above), so it can never shadow them.
//!
//! These are the keys of the default [`LogProfile`]; [`JsonLayer::profile`] (or `LOG_PROFILE`
//! through [`init!()`](crate::init!)) switches to the keys a platform's log pipeline reads:
//! `severity` and `logging.googleapis.com/trace` for Cloud Logging, `status` and `dd.trace_id`
//! for Datadog, `@timestamp`, `log.level` and `trace.id` for Elastic (ECS), `xray_trace_id` for
//! AWS, `operation_Id` for Azure. The profile's keys are fixed bytes chosen when it is set, and
//! its trace link is rendered with the span's fields, once: choosing one costs an event
//! nothing measurable (BENCHMARKS.md). A user field named like one of a profile's keys is
//! written as `fields.<name>` there too.
//!
//! `level` is the event's level in capitals, `TRACE` to `ERROR`. Which events reach the layer
//! is the choice of the subscriber's filters (a `LevelFilter` as above, an `EnvFilter`, a
//! per-layer filter); the layer writes every event it is given.
//!
//! A span's fields are formatted when the span is created, or when a field is recorded
//! (`Span::record` replaces the value under that key), not again for each event.
//!
//! Static fields are set once on the layer. Setting a key again replaces its value;
//! `static_field("service", …)` is [`service`](JsonLayer::service), and so on for `release`
//! and `environment`; a core key (`timestamp`, `level`, `target`, `message`) cannot be a
//! static field, and such a call is ignored.
//!
//! # Values
//!
//! - Strings are escaped per RFC 8259 (quotes, backslash, every control character as
//!   `\n`/`\t`/`\u00XX`), and DEL, U+2028 and U+2029 are escaped too so a line can be embedded
//!   in JavaScript.
//! - Integers of every width, `u128`/`i128` included, are JSON numbers, in full; booleans are
//!   `true` and `false`.
//! - Floats are numbers in their shortest round-tripping form (`12.5`, `1e+300`); NaN and
//!   infinities, which JSON lacks, are the strings `"NaN"`, `"inf"` and `"-inf"`.
//! - `Display` (`%value`) and `Debug` (`?value`) values are strings.
//! - An error (`error = &err as &dyn std::error::Error`) is one string with its source chain
//!   joined by `: `, such as `"loading doc 7 failed: query failed: connection refused"`.
//!
//! # Redaction and size
//!
//! A field whose name is on the [`Redactor`](crate::redact::Redactor) deny-list (passwords,
//! tokens, cookies... also as suffixes such as `db_password`) is written `"[REDACTED]"`,
//! whatever its type; so is a value wrapped in [`Sensitive`](crate::redact::Sensitive). Every
//! string value (the message, `Display` and `Debug` values, error chains, span fields) goes
//! through the masking pass of [`Redactor::mask`](crate::redact::Redactor::mask): the value
//! after a deny-listed name inside the text (`password=[REDACTED]`,
//! `Config { db_password: "[REDACTED]", .. }`), the password of a URL (`***`) and well-known
//! token formats; the [redaction module](crate::redact#what-is-masked-inside-values) lists
//! the rules. One string value longer than [`max_value_len`](JsonLayer::max_value_len) (default
//! [`DEFAULT_MAX_VALUE_LEN`], 16 KiB) is cut on a character boundary and ends with
//! `…[truncated, N bytes]`, N being its full length.
//!
//! # Writing
//!
//! Each line goes to the writer in a single `write_all` call, so lines from several threads
//! never interleave with a writer that writes each call whole (stdout, the [non-blocking
//! writer](writer) of this crate or of tracing-appender, a file in append mode). Once warmed
//! up, formatting an event does not allocate (BENCHMARKS.md has the figures).
//!
//! [`writer::non_blocking`] moves the writing off the logging threads: one background thread
//! writes the lines in batches, one system call for many lines, and its guard drains the
//! queue at shutdown, within a bound.
//!
//! # Failures and dropped lines
//!
//! Nothing here reaches the application: a write error drops the line, silently; a `Display`
//! impl that returns an error keeps what it wrote; one that panics loses its line, not the
//! request. An event emitted while formatting another (from inside a `Display` impl) is
//! dropped by `tracing` itself.
//!
//! A lossy non-blocking writer drops lines when its queue is full. Given its counter
//! ([`JsonLayer::report_dropped_lines`], any [`DroppedLineCounter`]), the layer says so in the
//! stream itself: after the next event, one WARN line with target [`DROPPED_LINES_TARGET`]
//! gives `dropped_lines`, the lines lost since the last such report, and
//! `dropped_lines_total`, all of them; the static fields end it as they end every line:
//!
//! ```text
//! {"timestamp":"…","level":"WARN","target":"http_observability::json","message":"log lines were dropped: the writer was full","dropped_lines":12,"dropped_lines_total":40,"service":"docs-api"}
//! ```

// How it is done today, file by file (none of it is promised above):
//
// - `layer`: the builder and the `Layer` callbacks; `line`: the layout of a line and its one
//   `write_all`; `dropped`: the dropped-line report.
// - `profile`: the profiles' fixed bytes (opening keys, level names, reserved keys); `derived`:
//   what a profile derives from other fields (the trace link from a span's trace fields, when
//   they are rendered; the access line's `httpRequest` or `event.duration` from the access
//   record's fields, kept while they are written).
// - `visitor` writes fields as `,"key":value` entries into an `entries::Fields` buffer, which
//   indexes its keys so that each is written once; `key_cache` remembers per thread, by the
//   address of a callsite's `&'static str` name, whether a name is reserved, sensitive or plain,
//   and its key ready-made; `config` holds the settings the cache is keyed by.
// - Values: `escape` scans for bytes to escape a word or sixteen bytes at a time; `text` writes
//   string values (masking, cutting; a `Display` value streams straight into the line while it
//   stays plain); `number`; `clock` keeps the date-time prefix of the current second.
// - Spans: their fields are rendered to JSON once, when the span is created or a field is
//   recorded, and the bytes are kept in the span's registry extensions (`registry`), already
//   joined with those of its ancestors (inner keys winning), so an event copies one slice from
//   its innermost span (`spans`). A thread remembers the span of its last event: the next
//   event in the same span, with no span entered or exited on the thread in between (an
//   epoch counts enters and exits), skips the registry; a record on any span of the chain
//   bumps a version, and the next event rebuilds the chain.
// - Memory: each line is built in a per-thread buffer that is reused (`scratch`); span nodes
//   and field buffers are reused from small per-thread pools, so that in steady state an event
//   allocates nothing and a span only the registry's extension box (tests/alloc_json.rs
//   counts both).

mod clock;
mod config;
mod derived;
mod dropped;
mod entries;
mod escape;
mod key_cache;
mod layer;
mod line;
mod number;
mod profile;
mod registry;
mod scratch;
mod spans;
mod text;
mod visitor;
pub mod writer;

pub use dropped::{DROPPED_LINES_TARGET, DroppedLineCounter};
pub use layer::{DEFAULT_MAX_VALUE_LEN, JsonLayer};
pub use profile::{LogProfile, UnknownLogProfile};
