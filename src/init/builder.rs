//! The [`Init`] builder and its setters.

use std::fmt;
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::writer::BoxMakeWriter;
use tracing_subscriber::layer::Layer;
use tracing_subscriber::registry::Registry;

use super::LogFormat;
use crate::json::{DEFAULT_MAX_VALUE_LEN, LogProfile};
use crate::redact::Redactor;
use crate::release::BuildInfo;

/// A boxed layer added with [`Init::with_layer`].
pub(super) type ExtraLayer = Box<dyn Layer<Registry> + Send + Sync>;

/// Reads one environment variable; replaceable in tests.
pub(super) type EnvLookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Logging setup in code; every value left unset comes from the environment.
///
/// [`init!()`](crate::init!) is `Init::new().build_info(release!()).install()`: a
/// `Registry`, an `EnvFilter` from `RUST_LOG`, and the [`JsonLayer`](crate::json::JsonLayer)
/// writing to stdout from a background thread.
///
/// # Environment
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `SERVICE_NAME` | the binary's file name | `"service"` on every line |
/// | `SENTRY_RELEASE`, `GIT_SHA`, platform commit variables | the [release chain](mod@crate::release) | `"release"` on every line and every Sentry event |
/// | `SENTRY_ENVIRONMENT`, else `APP_ENV` | absent | `"environment"` on every line and every Sentry event |
/// | `RUST_LOG` | `info` | an `EnvFilter` (`info,sqlx=warn,my_crate::db=debug`) |
/// | `LOG_FORMAT` | `json` | `json`, or `pretty` for tracing-subscriber's human-readable output |
/// | `LOG_PROFILE` | `default` | the keys of the JSON lines: `default`, `gcp`, `datadog`, `ecs`, `aws` or `azure` ([`LogProfile`](crate::json::LogProfile)); checked in pretty mode too, where it changes nothing |
/// | `GOOGLE_CLOUD_PROJECT` | absent | with `LOG_PROFILE=gcp`: the project of the trace link (`projects/<id>/traces/<trace_id>`) |
/// | `LOG_SHUTDOWN_TIMEOUT` | `5` | seconds (`0.5`, `10`) the guard waits at shutdown for the queued lines |
/// | `SENTRY_DSN`, `SENTRY_TRACES_SAMPLE_RATE` | absent, `0` | with the `sentry` feature: Sentry on, and the share of requests traced |
///
/// A value set on the [`Init`] builder wins over the environment. The release is resolved
/// once, set as [`release::current`](crate::release::current) by `install`, and written
/// identically into the log lines and the Sentry events; so is the environment.
///
/// # Writers and back-pressure
///
/// By default lines go to stdout through a [non-blocking writer](crate::json::writer) thread,
/// lossless: when its queue (1 MiB, some 3 000 access lines; the writer holds at most twice
/// that) is full, the logging thread waits. With [`Init::lossy`] it drops instead, and the
/// JSON stream itself reports how many lines were lost (a WARN line with `dropped_lines`,
/// target [`DROPPED_LINES_TARGET`](crate::json::DROPPED_LINES_TARGET)). [`Init::writer`]
/// replaces stdout with any `MakeWriter` (a file, a test capture); it is then written
/// synchronously.
///
/// # Shutdown
///
/// Dropping the [`Guard`](crate::Guard) returns once every queued line is written, or after
/// the shutdown timeout (5 s, [`Init::shutdown_timeout`] or `LOG_SHUTDOWN_TIMEOUT`); lines
/// that could not be written are counted in one line on stderr, never lost silently. The
/// Guard says [how long shutdown takes](crate::Guard#how-long-shutdown-takes) with Sentry on,
/// and what to do before `std::process::exit`.
///
/// # Panics
///
/// By default a panic is printed by Rust's hook to **stderr**, so stdout keeps only JSON. The
/// tower layer already logs a panicking handler as one JSON ERROR line with its request ID.
/// [`Init::log_panics`] adds a hook that also logs every panic (any thread) as one JSON ERROR
/// line with `panic.message` and `panic.location`, waits until that line is written (within
/// the shutdown timeout), then calls the previous hook. It is off by default because a
/// handler panic would then be logged twice, and the Sentry integration has its own panic
/// hook.
///
/// Built with `panic = "abort"`, nothing runs after the hooks: no layer catches the panic and
/// no guard is dropped. The hook is then on by default: it writes the panic's line and waits
/// for it, and Sentry's hook hands the panic's event to the transport and waits for it to be
/// sent (within the Sentry flush timeout), before the process aborts.
///
/// # Sentry
///
/// With the `sentry` feature and `SENTRY_DSN` set, `build` and `install` bind the Sentry
/// client and add its tracing layer; dropping the [`Guard`](crate::Guard) flushes Sentry's
/// events before the log lines, so the count of lost events still reaches the log. Unset or
/// empty: one INFO line says Sentry is off. Malformed: [`InitError`](crate::InitError) names
/// the variable.
///
/// # Adding layers
///
/// [`Init::with_layer`] adds any `Layer<Registry>` to the same subscriber, behind the same
/// `RUST_LOG` filter.
///
/// # Example
///
/// ```no_run
/// use http_observability::Init;
///
/// // What init!() does, plus settings that win over the environment.
/// let _guard = Init::new()
///     .build_info(http_observability::release!())
///     .service("docs-api")
///     .filter("info,tower_http=warn")
///     .static_field("region", "eu-west-1")
///     .install()?; // keep the guard until the end of main
/// # Ok::<(), http_observability::InitError>(())
/// ```
#[must_use = "an Init does nothing until `install()` or `build()`"]
pub struct Init {
    pub(super) service: Option<String>,
    pub(super) release: Option<String>,
    pub(super) build_info: Option<BuildInfo>,
    pub(super) environment: Option<String>,
    pub(super) filter: Option<String>,
    pub(super) format: Option<LogFormat>,
    pub(super) profile: Option<LogProfile>,
    pub(super) writer: Option<BoxMakeWriter>,
    pub(super) lossy: bool,
    pub(super) shutdown_timeout: Option<Duration>,
    pub(super) static_fields: Vec<(String, String)>,
    pub(super) redactor: Redactor,
    pub(super) max_value_len: usize,
    pub(super) log_panics: bool,
    pub(super) extra: Option<ExtraLayer>,
    pub(super) env: EnvLookup,
}

impl fmt::Debug for Init {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Init")
            .field("service", &self.service)
            .field("release", &self.release)
            .field("build_info", &self.build_info)
            .field("environment", &self.environment)
            .field("filter", &self.filter)
            .field("format", &self.format)
            .field("profile", &self.profile)
            .field("custom_writer", &self.writer.is_some())
            .field("lossy", &self.lossy)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("static_fields", &self.static_fields)
            .field("redactor", &self.redactor)
            .field("max_value_len", &self.max_value_len)
            .field("log_panics", &self.log_panics)
            .field("extra_layers", &self.extra.is_some())
            .finish_non_exhaustive()
    }
}

impl Default for Init {
    fn default() -> Self {
        Self::new()
    }
}

impl Init {
    /// A setup reading the environment for every value not set in code.
    pub fn new() -> Self {
        Self {
            service: None,
            release: None,
            build_info: None,
            environment: None,
            filter: None,
            format: None,
            profile: None,
            writer: None,
            lossy: false,
            shutdown_timeout: None,
            static_fields: Vec::new(),
            redactor: Redactor::default(),
            max_value_len: DEFAULT_MAX_VALUE_LEN,
            log_panics: cfg!(panic = "abort"),
            extra: None,
            env: Box::new(|name| std::env::var(name).ok()),
        }
    }

    /// Sets `"service"` (instead of `SERVICE_NAME` or the binary's name).
    pub fn service(mut self, service: impl Into<String>) -> Self {
        self.service = Some(service.into());
        self
    }

    /// Sets the release (the `"release"` of every line and of every Sentry event) instead of
    /// resolving it (see [`release`](mod@crate::release) for the chain).
    pub fn release(mut self, release: impl Into<String>) -> Self {
        self.release = Some(release.into());
        self
    }

    /// Gives the release chain your crate's name, version and build-time `GIT_SHA`, from
    /// [`release!()`](crate::release!) written in your crate; [`init!()`](crate::init!) does
    /// it for you. Without it, the chain ends with the binary's name.
    pub fn build_info(mut self, build: BuildInfo) -> Self {
        self.build_info = Some(build);
        self
    }

    /// Sets the environment of the log lines and Sentry events (instead of
    /// `SENTRY_ENVIRONMENT` or `APP_ENV`).
    pub fn environment(mut self, environment: impl Into<String>) -> Self {
        self.environment = Some(environment.into());
        self
    }

    /// Adds a static field to every JSON line (see
    /// [`JsonLayer::static_field`](crate::json::JsonLayer::static_field)).
    pub fn static_field(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.static_fields.push((key.into(), value.into()));
        self
    }

    /// Sets the filter directives (instead of `RUST_LOG`), such as `info,sqlx=warn`.
    pub fn filter(mut self, directives: impl Into<String>) -> Self {
        self.filter = Some(directives.into());
        self
    }

    /// Sets the format (instead of `LOG_FORMAT`).
    pub fn format(mut self, format: LogFormat) -> Self {
        self.format = Some(format);
        self
    }

    /// Sets the keys of the JSON lines (instead of `LOG_PROFILE`); see
    /// [`LogProfile`](crate::json::LogProfile).
    pub fn log_profile(mut self, profile: LogProfile) -> Self {
        self.profile = Some(profile);
        self
    }

    /// Writes to `make_writer` (a file, a test capture) instead of stdout, synchronously.
    pub fn writer<W>(mut self, make_writer: W) -> Self
    where
        W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
    {
        self.writer = Some(BoxMakeWriter::new(make_writer));
        self
    }

    /// Drops lines rather than waiting when the stdout queue is full (default: lossless).
    /// Dropped lines are reported in the JSON stream as a WARN line with `dropped_lines`.
    /// Has no effect with [`writer`](Self::writer).
    pub fn lossy(mut self, lossy: bool) -> Self {
        self.lossy = lossy;
        self
    }

    /// Sets how long the [`Guard`](crate::Guard) waits at shutdown for the queued lines
    /// (instead of `LOG_SHUTDOWN_TIMEOUT`; default 5 s). Has no effect with
    /// [`writer`](Self::writer).
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = Some(timeout);
        self
    }

    /// Replaces the redaction deny-list (default: [`Redactor::default`]).
    pub fn redactor(mut self, redactor: Redactor) -> Self {
        self.redactor = redactor;
        self
    }

    /// Caps one string value (default 16 KiB, see
    /// [`JsonLayer::max_value_len`](crate::json::JsonLayer::max_value_len)).
    pub fn max_value_len(mut self, max: usize) -> Self {
        self.max_value_len = max;
        self
    }

    /// Also logs every panic as one ERROR line (see [`Init`'s docs](Init#panics)); applies
    /// to [`install`](Self::install) only. Default: off, on when built with
    /// `panic = "abort"`.
    pub fn log_panics(mut self, log_panics: bool) -> Self {
        self.log_panics = log_panics;
        self
    }

    /// Adds a layer (any `Layer<Registry>`) to the same subscriber, behind the same filter;
    /// call it several times to add several.
    pub fn with_layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<Registry> + Send + Sync + 'static,
    {
        self.extra = Some(match self.extra.take() {
            None => Box::new(layer),
            Some(previous) => Box::new(previous.and_then(layer)),
        });
        self
    }

    /// Replaces the environment, for tests.
    #[cfg(test)]
    pub(super) fn env(
        mut self,
        env: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.env = Box::new(env);
        self
    }
}
