//! The build steps: from an [`Init`] to a `Dispatch` and its [`Guard`], and installing it.

use tracing::Dispatch;
use tracing_subscriber::fmt::{
    self,
    format::{Format, Pretty},
};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::registry::Registry;

use super::panic_hook::install_panic_hook;
use super::pretty::{MaskedEvents, MaskedFields};
use super::resolve::{
    Env, env_filter, log_format, log_profile, non_empty, resolve_environment, resolve_release,
    resolve_service, shutdown_timeout,
};
use super::writer::{LineWriter, line_writer};
use super::{Guard, Init, InitError, LogFormat};
use crate::json::writer::NonBlocking;
use crate::json::{JsonLayer, LogProfile};
use crate::redact::Redactor;
use crate::release::Release;

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
    /// [`InitError::InvalidFilter`], [`InitError::UnknownLogFormat`] and
    /// [`InitError::InvalidShutdownTimeout`], [`InitError::UnknownLogProfile`]; with the
    /// `sentry`
    /// feature, `InitError::Sentry` when a Sentry variable is malformed.
    pub fn build(self) -> Result<(Dispatch, Guard), InitError> {
        self.build_with_release()
            .map(|(dispatch, guard, _release)| (dispatch, guard))
    }

    /// [`build`](Self::build), also returning the resolved release.
    fn build_with_release(self) -> Result<(Dispatch, Guard, Release), InitError> {
        let env: Env<'_> = &*self.env;
        let release = resolve_release(self.release, self.build_info, env);
        let environment = resolve_environment(self.environment, env);
        let filter = env_filter(self.filter, env)?;
        let format = log_format(self.format, env)?;
        let profile = log_profile(self.profile, env)?;
        let timeout = shutdown_timeout(self.shutdown_timeout, env)?;
        let (writer, writer_guard) = line_writer(self.writer, self.lossy, timeout);
        let dropped = writer.lossy_counter(self.lossy);
        let (json, pretty) = match format {
            LogFormat::Pretty => (None, Some(pretty_layer(writer, self.redactor.clone()))),
            LogFormat::Json => {
                let facts = LineFacts {
                    service: resolve_service(self.service, env),
                    release: release.as_str(),
                    environment: environment.as_deref(),
                    static_fields: self.static_fields,
                    profile,
                    gcp_project: non_empty(env, "GOOGLE_CLOUD_PROJECT"),
                };
                let json = json_layer(
                    writer,
                    facts,
                    self.redactor.clone(),
                    self.max_value_len,
                    dropped,
                );
                (Some(json), None)
            }
        };
        #[cfg(feature = "sentry")]
        let sentry = sentry_config(&release, environment.as_deref(), self.redactor, env)?;
        #[cfg(feature = "sentry")]
        let sentry_layer = sentry.as_ref().map(|_| crate::reporting::tracing_layer());
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
            sentry: Some(start_sentry(&dispatch, sentry)),
            writer: writer_guard,
        };
        Ok((dispatch, guard, release))
    }

    /// Builds the subscriber and installs it as the global default (see [`Init`]'s example).
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
            install_panic_hook(guard.writer.as_ref());
        }
        Ok(guard)
    }
}

/// The pretty layer: what tracing-subscriber's human-readable layer writes (in colour on a
/// terminal), its values masked by `redactor` as in the JSON lines.
fn pretty_layer<S>(writer: LineWriter, redactor: Redactor) -> PrettyLayer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    let ansi = writer.is_terminal();
    tracing_subscriber::fmt::layer()
        .pretty()
        .with_ansi(ansi)
        .with_writer(writer)
        .fmt_fields(MaskedFields::new(redactor.clone()))
        .map_event_format(|format| MaskedEvents::new(format, redactor))
}

/// The layer [`pretty_layer`] builds.
type PrettyLayer<S> = fmt::Layer<S, MaskedFields, MaskedEvents<Format<Pretty>>, LineWriter>;

/// What every JSON line says besides its event.
struct LineFacts<'a> {
    service: String,
    release: &'a str,
    environment: Option<&'a str>,
    static_fields: Vec<(String, String)>,
    profile: LogProfile,
    gcp_project: Option<String>,
}

/// The JSON layer writing `facts` on every line, reporting `dropped` lines when lossy.
fn json_layer(
    writer: LineWriter,
    facts: LineFacts<'_>,
    redactor: Redactor,
    max_value_len: usize,
    dropped: Option<NonBlocking>,
) -> JsonLayer<LineWriter> {
    let mut json = JsonLayer::new(writer)
        .service(facts.service)
        .release(facts.release)
        .redactor(redactor)
        .max_value_len(max_value_len)
        .profile(facts.profile);
    if let Some(project) = facts.gcp_project {
        json = json.gcp_project(project);
    }
    if let Some(environment) = facts.environment {
        json = json.environment(environment);
    }
    // After the service: a static field may replace it.
    for (key, value) in facts.static_fields {
        json = json.static_field(key, value);
    }
    if let Some(counter) = dropped {
        json = json.report_dropped_lines(counter);
    }
    json
}

/// The Sentry client's settings from `SENTRY_DSN` and its siblings, with the release,
/// environment and deny-list of the log lines; `None` when Sentry is off.
#[cfg(feature = "sentry")]
fn sentry_config(
    release: &Release,
    environment: Option<&str>,
    redactor: Redactor,
    env: Env<'_>,
) -> Result<Option<crate::reporting::SentryConfig>, InitError> {
    let config =
        crate::reporting::SentryConfig::from_lookup(release, env).map_err(InitError::Sentry)?;
    Ok(config.map(|config| {
        let config = config.redactor(redactor);
        match environment {
            Some(environment) => config.environment(environment),
            None => config,
        }
    }))
}

/// Starts Sentry (or says it is off) under `dispatch`, so that what it says at start goes to
/// this subscriber's output.
#[cfg(feature = "sentry")]
fn start_sentry(
    dispatch: &Dispatch,
    config: Option<crate::reporting::SentryConfig>,
) -> crate::reporting::SentryGuard {
    tracing::dispatcher::with_default(dispatch, || crate::reporting::config::start(config))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::init::resolve::binary_name;
    use crate::init::test_capture::Capture;
    use std::collections::HashMap;
    use std::io;
    use std::sync::{Arc, Mutex, PoisonError};
    use tracing_subscriber::layer::Layer;

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
    fn the_profile_comes_from_log_profile_and_leaves_pretty_alone() {
        let vars = [
            ("LOG_PROFILE", " GCP "),
            ("GOOGLE_CLOUD_PROJECT", "my-project"),
            ("SERVICE_NAME", "docs-api"),
        ];
        let traced = || {
            let span = tracing::error_span!(
                "request",
                trace_id = "4bf92f3577b34da6a3ce929d0e0e4736",
                span_id = "00f067aa0ba902b7",
                trace_flags = "01",
            );
            let _span = span.enter();
            tracing::warn!("traced");
        };
        let out = run(Init::new().env(env(&vars)), traced);
        let line: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON line");
        assert_eq!(line["severity"], "WARNING");
        assert_eq!(
            line["logging.googleapis.com/trace"],
            "projects/my-project/traces/4bf92f3577b34da6a3ce929d0e0e4736"
        );
        assert!(line.get("level").is_none(), "{line}");

        // Code wins over the variable.
        let out = run(
            Init::new().env(env(&vars)).log_profile(LogProfile::Datadog),
            traced,
        );
        let line: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON line");
        assert_eq!(line["status"], "warn");

        // The human format is the same under any profile.
        let pretty = |profile: &'static str| {
            let vars = [("LOG_FORMAT", "pretty"), ("LOG_PROFILE", profile)];
            run(Init::new().env(env(&vars)), || tracing::warn!("hello"))
        };
        let (default, gcp) = (pretty("default"), pretty("gcp"));
        assert!(!gcp.contains("severity") && gcp.contains("hello"), "{gcp}");
        // The two differ only in their timestamps.
        assert_eq!(default.len(), gcp.len(), "{default}\n{gcp}");
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

        // Checked whatever the format: a typo is found before the service runs in JSON.
        for format in ["json", "pretty"] {
            let vars = [("LOG_FORMAT", format), ("LOG_PROFILE", "stackdriver")];
            let err = Init::new().env(env(&vars)).build().unwrap_err();
            assert!(matches!(err, InitError::UnknownLogProfile { .. }));
            assert_eq!(
                err.to_string(),
                "unknown LOG_PROFILE `stackdriver`: expected one of `default`, `gcp`, \
                 `datadog`, `ecs`, `aws`, `azure`"
            );
        }
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
    fn the_shutdown_timeout_is_seconds_from_the_environment() {
        use crate::init::resolve::shutdown_timeout;
        use std::time::Duration;
        let from = |value: &str| shutdown_timeout(None, &env(&[("LOG_SHUTDOWN_TIMEOUT", value)]));
        assert_eq!(from("0.25").ok(), Some(Duration::from_millis(250)));
        assert_eq!(from(" 10 ").ok(), Some(Duration::from_secs(10)));
        assert_eq!(from("").ok(), Some(Duration::from_secs(5)));
        let code = shutdown_timeout(
            Some(Duration::from_secs(1)),
            &env(&[("LOG_SHUTDOWN_TIMEOUT", "x")]),
        );
        assert_eq!(code.ok(), Some(Duration::from_secs(1)));
        for bad in ["soon", "-1", "5s", "NaN"] {
            let err = from(bad).unwrap_err();
            assert!(matches!(err, InitError::InvalidShutdownTimeout { .. }));
            assert_eq!(
                err.to_string(),
                format!(
                    "invalid LOG_SHUTDOWN_TIMEOUT `{bad}`: expected a number of seconds, such as `5` or `0.5`"
                )
            );
        }
        let err = Init::new()
            .env(env(&[("LOG_SHUTDOWN_TIMEOUT", "soon")]))
            .build()
            .unwrap_err();
        assert!(matches!(err, InitError::InvalidShutdownTimeout { .. }));
    }

    /// Built from an empty environment, writing nowhere.
    fn build_quietly() -> (Dispatch, Guard) {
        Init::new()
            .env(env(&[]))
            .writer(io::sink)
            .build()
            .expect("valid setup")
    }

    #[cfg(feature = "sentry")]
    #[test]
    fn sentry_is_off_without_a_dsn() {
        let (_dispatch, guard) = build_quietly();
        assert!(guard.sentry().is_none());
    }

    #[test]
    fn request_id_current_works_through_the_built_subscriber() {
        let (dispatch, _guard) = build_quietly();
        tracing::dispatcher::with_default(&dispatch, || {
            let id = crate::RequestId::parse("abc").expect("valid id");
            let trace =
                crate::trace_context::TracePolicy::new().resolve(&http::HeaderMap::new(), || false);
            let span = crate::lifecycle::span::open(&id, trace.clone(), "GET", None);
            let _entered = span.enter();
            assert_eq!(crate::request_id::current(), Some(id));
            assert_eq!(crate::trace_context::current(), Some(trace));
        });
    }
}
