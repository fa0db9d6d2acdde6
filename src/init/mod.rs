//! One-call setup from the environment: [`init()`], the [`Init`] builder, [`Guard`] and
//! [`InitError`]. This module is private; its items are re-exported at the crate root, and
//! [`Init`] documents the environment, writers, panics and extra layers.

mod error;
mod format;
mod guard;
mod panic_hook;
mod writer;

pub use error::InitError;
pub use format::LogFormat;
pub use guard::Guard;

use panic_hook::install_panic_hook;
use writer::LineWriter;

use std::fmt;
use std::io::{self, IsTerminal as _};

use tracing::Dispatch;
use tracing_appender::non_blocking::NonBlockingBuilder;
use tracing_subscriber::filter::{Directive, EnvFilter};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::writer::BoxMakeWriter;
use tracing_subscriber::layer::{Layer, SubscriberExt as _};
use tracing_subscriber::registry::Registry;

use crate::json::{DEFAULT_MAX_VALUE_LEN, JsonLayer};
use crate::redact::Redactor;
use crate::release::{BuildInfo, Release};

/// The filter used when `RUST_LOG` is unset or empty.
const DEFAULT_FILTER: &str = "info";

/// Installs JSON logging on stdout (and, with the `sentry` feature and `SENTRY_DSN` set,
/// Sentry reporting), configured from the environment (see [`Init`]); the same as
/// `Init::new().install()`.
///
/// Prefer the [`init!()`](crate::init!) macro in a binary: it also passes your crate's name,
/// version and build-time `GIT_SHA` to the release chain, which a function cannot see.
///
/// Keep the returned [`Guard`] until the end of `main`: dropping it flushes the queued lines
/// and stops the writer thread. **Never write `let _ = init()?;`**: `_` drops the guard at
/// once and every later line is lost. A named binding (`let _guard = ...`) is fine.
///
/// # Example
///
/// ```no_run
/// fn main() -> Result<(), http_observability::InitError> {
///     let _guard = http_observability::init()?; // never `let _ = ...`
///     tracing::info!(port = 3000, "listening");
///     Ok(())
/// }
/// ```
///
/// # Errors
///
/// [`InitError`] when a global subscriber is already set, `RUST_LOG` holds an invalid
/// directive, or `LOG_FORMAT` is neither `json` nor `pretty`.
pub fn init() -> Result<Guard, InitError> {
    Init::new().install()
}

/// A boxed layer added with [`Init::with_layer`].
type ExtraLayer = Box<dyn Layer<Registry> + Send + Sync>;

/// Reads one environment variable; replaceable in tests.
type EnvLookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Logging setup with code configuration; every value left unset comes from the environment.
///
/// [`init()`] is `Init::new().install()`: a `Registry`, an `EnvFilter` from `RUST_LOG`, and
/// the [`JsonLayer`] writing to stdout through tracing-appender's non-blocking writer.
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
/// | `SENTRY_DSN`, `SENTRY_TRACES_SAMPLE_RATE` | absent, `0` | with the `sentry` feature: Sentry on, and the share of requests traced |
///
/// A value set on the [`Init`] builder wins over the environment. The release is resolved
/// once, set as [`release::current`](crate::release::current) by `install`, and written
/// identically into the log lines and the Sentry events; so is the environment.
///
/// # Writers and back-pressure
///
/// By default lines go to stdout through a non-blocking writer thread, lossless: when its
/// queue (128 000 lines) is full, the logging thread waits. With [`Init::lossy`] it drops
/// instead, and the JSON stream itself reports how many lines were lost (a WARN line with
/// `dropped_lines`, target [`DROPPED_LINES_TARGET`](crate::json::DROPPED_LINES_TARGET)). The
/// non-blocking writer copies each line into its queue (one allocation per line, outside the
/// formatter). [`Init::writer`] replaces stdout with any `MakeWriter` (a file, a test
/// capture); it is then written synchronously.
///
/// # Panics
///
/// By default a panic is printed by Rust's hook to **stderr**, so stdout keeps only JSON. The
/// tower layer already logs a panicking handler as one JSON ERROR line with its request ID.
/// [`Init::log_panics`] adds a hook that also logs every panic (any thread) as one JSON ERROR
/// line with `panic.message` and `panic.location`, then calls the previous hook. It is off by
/// default because a handler panic would then be logged twice, and the Sentry integration
/// has its own panic hook.
///
/// # Sentry
///
/// With the `sentry` feature and `SENTRY_DSN` set, `build`/`install` bind the Sentry client,
/// add its tracing layer, and keep its flushing guard inside [`Guard`] (dropped before the log
/// writer, so the count of lost events still reaches the log). Unset or empty: one INFO line
/// says Sentry is off. Malformed: [`InitError`] names the variable.
///
/// # Adding layers
///
/// [`Init::with_layer`] adds any `Layer<Registry>` to the same subscriber, behind the same
/// `RUST_LOG` filter.
///
/// # Example
///
/// ```no_run
/// use http_observability::{Init, LogFormat};
///
/// let _guard = Init::new()
///     .service("docs-api")
///     .release("4f1c2d9")
///     .filter("info,tower_http=warn")
///     .static_field("region", "eu-west-1")
///     .install()?;
/// # Ok::<(), http_observability::InitError>(())
/// ```
#[must_use = "an Init does nothing until `install()` or `build()`"]
pub struct Init {
    service: Option<String>,
    release: Option<String>,
    build_info: Option<BuildInfo>,
    environment: Option<String>,
    filter: Option<String>,
    format: Option<LogFormat>,
    writer: Option<BoxMakeWriter>,
    lossy: bool,
    static_fields: Vec<(String, String)>,
    redactor: Redactor,
    max_value_len: usize,
    log_panics: bool,
    extra: Option<ExtraLayer>,
    env: EnvLookup,
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
            .field("custom_writer", &self.writer.is_some())
            .field("lossy", &self.lossy)
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
    ///
    /// # Example
    ///
    /// ```
    /// let init = http_observability::Init::new();
    /// ```
    pub fn new() -> Self {
        Self {
            service: None,
            release: None,
            build_info: None,
            environment: None,
            filter: None,
            format: None,
            writer: None,
            lossy: false,
            static_fields: Vec::new(),
            redactor: Redactor::default(),
            max_value_len: DEFAULT_MAX_VALUE_LEN,
            log_panics: false,
            extra: None,
            env: Box::new(|name| std::env::var(name).ok()),
        }
    }

    /// Sets `"service"` (instead of `SERVICE_NAME` or the binary's name).
    ///
    /// # Example
    ///
    /// ```
    /// let init = http_observability::Init::new().service("docs-api");
    /// ```
    pub fn service(mut self, service: impl Into<String>) -> Self {
        self.service = Some(service.into());
        self
    }

    /// Sets the release (the `"release"` of every line and of every Sentry event) instead of
    /// resolving it (see [`release`](mod@crate::release) for the chain).
    ///
    /// # Example
    ///
    /// ```
    /// let init = http_observability::Init::new().release("4f1c2d9");
    /// ```
    pub fn release(mut self, release: impl Into<String>) -> Self {
        self.release = Some(release.into());
        self
    }

    /// Gives the release chain your crate's name, version and build-time `GIT_SHA`, from
    /// [`release!()`](crate::release!) written in your crate; [`init!()`](crate::init!) does
    /// it for you. Without it, the chain ends with the binary's name.
    ///
    /// # Example
    ///
    /// ```
    /// let init = http_observability::Init::new().build_info(http_observability::release!());
    /// ```
    pub fn build_info(mut self, build: BuildInfo) -> Self {
        self.build_info = Some(build);
        self
    }

    /// Sets the environment of the log lines and Sentry events (instead of
    /// `SENTRY_ENVIRONMENT` or `APP_ENV`).
    ///
    /// # Example
    ///
    /// ```
    /// let init = http_observability::Init::new().environment("staging");
    /// ```
    pub fn environment(mut self, environment: impl Into<String>) -> Self {
        self.environment = Some(environment.into());
        self
    }

    /// Adds a static field to every JSON line (see [`JsonLayer::static_field`]).
    ///
    /// # Example
    ///
    /// ```
    /// let init = http_observability::Init::new().static_field("region", "eu-west-1");
    /// ```
    pub fn static_field(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.static_fields.push((key.into(), value.into()));
        self
    }

    /// Sets the filter directives (instead of `RUST_LOG`), such as `info,sqlx=warn`.
    ///
    /// # Example
    ///
    /// ```
    /// let init = http_observability::Init::new().filter("debug,hyper=info");
    /// ```
    pub fn filter(mut self, directives: impl Into<String>) -> Self {
        self.filter = Some(directives.into());
        self
    }

    /// Sets the format (instead of `LOG_FORMAT`).
    ///
    /// # Example
    ///
    /// ```
    /// use http_observability::{Init, LogFormat};
    ///
    /// let init = Init::new().format(LogFormat::Pretty);
    /// ```
    pub fn format(mut self, format: LogFormat) -> Self {
        self.format = Some(format);
        self
    }

    /// Writes to `make_writer` (a file, a test capture) instead of stdout, synchronously.
    ///
    /// # Example
    ///
    /// ```
    /// let init = http_observability::Init::new().writer(std::io::stderr);
    /// ```
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
    ///
    /// # Example
    ///
    /// ```
    /// let init = http_observability::Init::new().lossy(true);
    /// ```
    pub fn lossy(mut self, lossy: bool) -> Self {
        self.lossy = lossy;
        self
    }

    /// Replaces the redaction deny-list (default: [`Redactor::default`]).
    ///
    /// # Example
    ///
    /// ```
    /// use http_observability::{Init, redact::Redactor};
    ///
    /// let init = Init::new().redactor(Redactor::default().deny("ssn"));
    /// ```
    pub fn redactor(mut self, redactor: Redactor) -> Self {
        self.redactor = redactor;
        self
    }

    /// Caps one string value (default 16 KiB, see [`JsonLayer::max_value_len`]).
    ///
    /// # Example
    ///
    /// ```
    /// let init = http_observability::Init::new().max_value_len(4096);
    /// ```
    pub fn max_value_len(mut self, max: usize) -> Self {
        self.max_value_len = max;
        self
    }

    /// Also logs every panic as one ERROR line (see [`Init`'s docs](Init#panics)); applies
    /// to [`install`](Self::install) only. Default: off.
    ///
    /// # Example
    ///
    /// ```
    /// let init = http_observability::Init::new().log_panics(true);
    /// ```
    pub fn log_panics(mut self, log_panics: bool) -> Self {
        self.log_panics = log_panics;
        self
    }

    /// Adds a layer to the same subscriber, behind the same filter; call it several times to
    /// add several. This is how the Sentry integration joins.
    ///
    /// # Example
    ///
    /// ```
    /// use tracing_subscriber::filter::LevelFilter;
    ///
    /// // Any `Layer<Registry>`; here a second filter that only lets WARN and above through.
    /// let init = http_observability::Init::new().with_layer(LevelFilter::WARN);
    /// ```
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

    /// Builds the subscriber without installing it, for tests and scoped use
    /// (`tracing::dispatcher::with_default`). Keep the guard as long as the dispatch.
    ///
    /// # Example
    ///
    /// ```
    /// let (dispatch, _guard) = http_observability::Init::new()
    ///     .filter("info")
    ///     .writer(std::io::sink)
    ///     .build()?;
    /// tracing::dispatcher::with_default(&dispatch, || tracing::info!("scoped"));
    /// # Ok::<(), http_observability::InitError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`InitError::InvalidFilter`] and [`InitError::UnknownLogFormat`].
    pub fn build(self) -> Result<(Dispatch, Guard), InitError> {
        self.build_with_release()
            .map(|(dispatch, guard, _release)| (dispatch, guard))
    }

    /// [`build`](Self::build), also returning the resolved release.
    fn build_with_release(self) -> Result<(Dispatch, Guard, Release), InitError> {
        let env = &self.env;
        let non_empty = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let release = match self.release {
            Some(value) => Release::configured(value),
            None => Release::resolve_with(self.build_info.unwrap_or_else(unknown_build), |name| {
                env(name)
            }),
        };
        let environment = self
            .environment
            .or_else(|| non_empty("SENTRY_ENVIRONMENT"))
            .or_else(|| non_empty("APP_ENV"));
        let (filter_input, directives) = match self.filter {
            Some(ref directives) => ("Init::filter", directives.clone()),
            None => ("RUST_LOG", (self.env)("RUST_LOG").unwrap_or_default()),
        };
        let filter = parse_filter(filter_input, &directives)?;
        let format = match self.format {
            Some(format) => format,
            None => match (self.env)("LOG_FORMAT") {
                Some(value) if !value.trim().is_empty() => LogFormat::parse(&value, "LOG_FORMAT")?,
                _ => LogFormat::Json,
            },
        };

        let (writer, worker, dropped) = match self.writer {
            Some(custom) => (LineWriter::Custom(custom), None, None),
            None => {
                let (writer, worker) = NonBlockingBuilder::default()
                    .lossy(self.lossy)
                    .thread_name("http-observability-log")
                    .finish(io::stdout());
                let dropped = self.lossy.then(|| writer.error_counter());
                (LineWriter::Stdout(writer), Some(worker), dropped)
            }
        };
        let ansi = matches!(writer, LineWriter::Stdout(_)) && io::stdout().is_terminal();

        let (json, pretty) = match format {
            LogFormat::Pretty => (
                None,
                Some(
                    tracing_subscriber::fmt::layer()
                        .pretty()
                        .with_ansi(ansi)
                        .with_writer(writer),
                ),
            ),
            LogFormat::Json => {
                let service = self
                    .service
                    .or_else(|| non_empty("SERVICE_NAME"))
                    .unwrap_or_else(binary_name);
                let mut json = JsonLayer::new(writer)
                    .service(service)
                    .release(release.as_str())
                    .redactor(self.redactor.clone())
                    .max_value_len(self.max_value_len);
                if let Some(environment) = &environment {
                    json = json.environment(environment.clone());
                }
                for (key, value) in self.static_fields {
                    json = json.static_field(key, value);
                }
                if let Some(counter) = dropped {
                    json = json.report_dropped_lines(counter);
                }
                (Some(json), None)
            }
        };

        #[cfg(feature = "sentry")]
        let sentry = crate::sentry::SentryConfig::from_lookup(&release, |name| (self.env)(name))
            .map_err(InitError::Sentry)?
            .map(|config| {
                let config = config.redactor(self.redactor);
                match &environment {
                    Some(environment) => config.environment(environment.clone()),
                    None => config,
                }
            });
        #[cfg(feature = "sentry")]
        let sentry_layer = sentry.as_ref().map(|_| crate::sentry::tracing_layer());
        #[cfg(not(feature = "sentry"))]
        let sentry_layer: Option<tracing_subscriber::layer::Identity> = None;

        let subscriber = Registry::default()
            .with(self.extra)
            .with(sentry_layer)
            .with(filter)
            .with(json)
            .with(pretty);
        let dispatch = Dispatch::new(subscriber);
        // What is said while starting (Sentry on or off, skipped release sources) goes to
        // this subscriber's output.
        tracing::dispatcher::with_default(&dispatch, || release.log_skipped());
        let guard = Guard {
            #[cfg(feature = "sentry")]
            sentry: Some(tracing::dispatcher::with_default(&dispatch, || {
                crate::sentry::config::start(sentry)
            })),
            _worker: worker,
        };
        Ok((dispatch, guard, release))
    }

    /// Builds the subscriber and installs it as the global default.
    ///
    /// # Example
    ///
    /// ```no_run
    /// let _guard = http_observability::Init::new().service("docs-api").install()?;
    /// # Ok::<(), http_observability::InitError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Those of [`build`](Self::build), and [`InitError::AlreadyInitialized`] when a global
    /// subscriber is already set.
    pub fn install(self) -> Result<Guard, InitError> {
        let log_panics = self.log_panics;
        let (dispatch, guard, release) = self.build_with_release()?;
        tracing::dispatcher::set_global_default(dispatch)
            .map_err(|_| InitError::AlreadyInitialized)?;
        crate::release::set_current(release);
        if log_panics {
            install_panic_hook();
        }
        Ok(guard)
    }

    /// Replaces the environment, for tests.
    #[cfg(test)]
    fn env(mut self, env: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        self.env = Box::new(env);
        self
    }
}

/// Parses filter directives, naming the first invalid one; empty means [`DEFAULT_FILTER`].
fn parse_filter(input: &'static str, directives: &str) -> Result<EnvFilter, InitError> {
    let directives = if directives.trim().is_empty() {
        DEFAULT_FILTER
    } else {
        directives
    };
    let invalid = |directive: &str, source| InitError::InvalidFilter {
        input,
        directive: directive.to_owned(),
        source,
    };
    for directive in directives.split(',').filter(|d| !d.is_empty()) {
        directive
            .parse::<Directive>()
            .map_err(|source| invalid(directive, source))?;
    }
    EnvFilter::builder()
        .parse(directives)
        .map_err(|source| invalid(directives, source))
}

/// The build facts when the caller gave none: the binary's name, version unknown.
fn unknown_build() -> BuildInfo {
    // Once per process, at start-up: a few bytes leaked to get the `'static` name.
    let name: &'static str = Box::leak(binary_name().into_boxed_str());
    BuildInfo::new(name, "unknown", None)
}

/// The file name of the running binary, without extension.
fn binary_name() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|path| Some(path.file_stem()?.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, PoisonError};

    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Capture {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Capture {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner))
                .into_owned()
        }
    }

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + Send + Sync + 'static {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| vars.get(name).cloned()
    }

    fn run(init: Init, f: impl FnOnce()) -> String {
        let capture = Capture::default();
        let writer = capture.clone();
        let (dispatch, _guard) = init
            .writer(move || writer.clone())
            .build()
            .expect("valid setup");
        // Only what `f` logs, not the start-up lines (Sentry on or off).
        let start = capture.text().len();
        tracing::dispatcher::with_default(&dispatch, f);
        capture.text()[start..].to_owned()
    }

    #[test]
    fn reads_the_environment() {
        let out = run(
            Init::new().env(env(&[
                ("SERVICE_NAME", "docs-api"),
                ("GIT_SHA", "4f1c2d9"),
                ("APP_ENV", "staging"),
                ("RUST_LOG", "warn,init_target=debug"),
                ("LOG_FORMAT", " JSON "),
            ])),
            || {
                tracing::info!("hidden");
                tracing::debug!(target: "init_target", "shown");
            },
        );
        let line: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON line");
        assert_eq!(line["message"], "shown");
        assert_eq!(line["service"], "docs-api");
        assert_eq!(line["release"], "4f1c2d9");
        assert_eq!(line["environment"], "staging");
    }

    #[test]
    fn code_wins_over_the_environment_and_defaults_apply() {
        let out = run(
            Init::new()
                .env(env(&[("SERVICE_NAME", "from-env"), ("RUST_LOG", "error")]))
                .service("from-code")
                .filter("")
                .static_field("region", "eu"),
            || tracing::info!("default filter is info"),
        );
        let line: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON line");
        assert_eq!(line["service"], "from-code");
        assert_eq!(line["region"], "eu");
        // No build facts given and no variable set: the chain ends with the binary's name.
        assert_eq!(line["release"], format!("{}@unknown", binary_name()));

        let out = run(Init::new().env(env(&[])), || tracing::info!("x"));
        let line: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON line");
        assert_eq!(line["service"], binary_name());
    }

    #[test]
    fn pretty_format_is_not_json() {
        let out = run(Init::new().env(env(&[("LOG_FORMAT", "pretty")])), || {
            tracing::info!(user_id = 42, "hello")
        });
        assert!(out.contains("hello"), "{out}");
        assert!(serde_json::from_str::<serde_json::Value>(out.trim()).is_err());
    }

    #[test]
    fn errors_name_the_input() {
        let err = Init::new()
            .env(env(&[("RUST_LOG", "info,my_crate=loud")]))
            .build()
            .unwrap_err();
        assert!(matches!(err, InitError::InvalidFilter { .. }));
        let message = err.to_string();
        assert!(message.contains("RUST_LOG"), "{message}");
        assert!(message.contains("`my_crate=loud`"), "{message}");
        assert!(std::error::Error::source(&err).is_some());

        let err = Init::new().filter("[{=").build().unwrap_err();
        assert!(err.to_string().contains("Init::filter"), "{err}");

        let err = Init::new()
            .env(env(&[("LOG_FORMAT", "xml")]))
            .build()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown LOG_FORMAT `xml`: expected `json` or `pretty`"
        );
    }

    #[test]
    fn extra_layers_see_the_same_events_behind_the_filter() {
        #[derive(Clone, Default)]
        struct Count(Arc<Mutex<usize>>);
        impl<S: tracing::Subscriber> Layer<S> for Count {
            fn on_event(
                &self,
                _: &tracing::Event<'_>,
                _: tracing_subscriber::layer::Context<'_, S>,
            ) {
                *self.0.lock().unwrap_or_else(PoisonError::into_inner) += 1;
            }
        }
        let (a, b) = (Count::default(), Count::default());
        let out = run(
            Init::new()
                .env(env(&[("RUST_LOG", "warn")]))
                .with_layer(a.clone())
                .with_layer(b.clone()),
            || {
                tracing::info!("filtered out");
                tracing::warn!("kept");
            },
        );
        assert_eq!(out.lines().count(), 1);
        assert_eq!(*a.0.lock().unwrap_or_else(PoisonError::into_inner), 1);
        assert_eq!(*b.0.lock().unwrap_or_else(PoisonError::into_inner), 1);
    }

    #[test]
    fn request_id_current_works_through_the_built_subscriber() {
        let (dispatch, _guard) = Init::new()
            .env(env(&[]))
            .writer(io::sink)
            .build()
            .expect("valid setup");
        tracing::dispatcher::with_default(&dispatch, || {
            let id = crate::RequestId::parse("abc").expect("valid id");
            let span = crate::request_span::open(&id, "GET", None);
            let _entered = span.enter();
            assert_eq!(crate::request_id::current(), Some(id));
        });
    }
}
