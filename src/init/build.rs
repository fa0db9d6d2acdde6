//! The build steps: from an [`Init`] to a `Dispatch` and its [`Guard`], and installing it.

use std::io::{self, IsTerminal as _};

use tracing::Dispatch;
use tracing_appender::non_blocking::NonBlockingBuilder;
use tracing_subscriber::filter::{Directive, EnvFilter};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::registry::Registry;

use super::panic_hook::install_panic_hook;
use super::writer::LineWriter;
use super::{Guard, Init, InitError, LogFormat};
use crate::json::JsonLayer;
use crate::release::{BuildInfo, Release};

/// The filter used when `RUST_LOG` is unset or empty.
const DEFAULT_FILTER: &str = "info";

impl Init {
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
    use tracing_subscriber::layer::Layer;

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
