//! Sentry setup from the environment, and the guard that flushes on shutdown.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use sentry::types::Dsn;

use super::panic::PanicIntegration;
use super::scrub;
use super::transport::{BoundedTransportFactory, Counters, DeliveryStats};
use crate::redact::Redactor;
use crate::release::Release;

/// How long the guard waits for pending events on shutdown, unless told otherwise.
pub const DEFAULT_FLUSH_TIMEOUT: Duration = Duration::from_secs(2);

/// The Sentry settings: read from the environment with [`SentryConfig::from_env`], adjusted
/// with the setters, started with [`SentryConfig::init`].
///
/// # Example
///
/// ```
/// use http_observability::release::Release;
/// use http_observability::reporting::SentryConfig;
///
/// let release = Release::resolve(http_observability::release!());
/// match SentryConfig::from_env(&release) {
///     Ok(Some(config)) => {
///         let _guard = config.init(); // keep it alive until the end of main
///     }
///     Ok(None) => {}                        // SENTRY_DSN unset: Sentry is off
///     Err(error) => eprintln!("{error}"),   // names the variable that is wrong
/// }
/// ```
#[derive(Debug, Clone)]
pub struct SentryConfig {
    dsn: Dsn,
    release: String,
    environment: Option<String>,
    traces_sample_rate: f32,
    flush_timeout: Duration,
    redactor: Redactor,
}

impl SentryConfig {
    /// A configuration sending to `dsn`, with release `release`, no environment, no traces, the
    /// default flush timeout and the default deny-list.
    pub fn new(dsn: Dsn, release: impl Into<String>) -> Self {
        Self {
            dsn,
            release: release.into(),
            environment: None,
            traces_sample_rate: 0.0,
            flush_timeout: DEFAULT_FLUSH_TIMEOUT,
            redactor: Redactor::default(),
        }
    }

    /// Reads the configuration from the process environment:
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `SENTRY_DSN` | where to send events; unset or empty: `Ok(None)`, Sentry is off |
    /// | `SENTRY_ENVIRONMENT` | the environment, such as `production`; falls back to `APP_ENV` |
    /// | `SENTRY_TRACES_SAMPLE_RATE` | `0.0` to `1.0`, the share of requests traced; default `0` |
    ///
    /// The release is `release`, resolved by [`Release::resolve`]. A malformed value is an
    /// error naming the variable (never a panic).
    pub fn from_env(release: &Release) -> Result<Option<Self>, SentryConfigError> {
        Self::from_lookup(release, |name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading the variables through `lookup` (for tests,
    /// or a configuration source of your own).
    pub fn from_lookup(
        release: &Release,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, SentryConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let Some(dsn) = get("SENTRY_DSN") else {
            return Ok(None);
        };
        let dsn = dsn.parse::<Dsn>().map_err(|error| SentryConfigError {
            variable: "SENTRY_DSN",
            problem: format!("is not a valid Sentry DSN ({error})"),
        })?;
        let mut config = Self::new(dsn, release.as_str());
        config.environment = get("SENTRY_ENVIRONMENT").or_else(|| get("APP_ENV"));
        if let Some(rate) = get("SENTRY_TRACES_SAMPLE_RATE") {
            config.traces_sample_rate = rate
                .parse::<f32>()
                .ok()
                .filter(|r| (0.0..=1.0).contains(r))
                .ok_or_else(|| SentryConfigError {
                    variable: "SENTRY_TRACES_SAMPLE_RATE",
                    problem: "must be a number from 0.0 to 1.0".to_owned(),
                })?;
        }
        Ok(Some(config))
    }

    /// Sets the environment (`production`, `staging`, …).
    pub fn environment(mut self, environment: impl Into<String>) -> Self {
        self.environment = Some(environment.into());
        self
    }

    /// How long the guard waits for pending events when dropped (default 2 s).
    pub fn flush_timeout(mut self, timeout: Duration) -> Self {
        self.flush_timeout = timeout;
        self
    }

    /// The deny-list whose names are scrubbed from events (default: [`Redactor::default`]).
    /// [`Init`](crate::Init) passes the one the JSON formatter uses, so logs and Sentry agree.
    pub fn redactor(mut self, redactor: Redactor) -> Self {
        self.redactor = redactor;
        self
    }

    /// The environment events are tagged with, if any.
    pub fn environment_name(&self) -> Option<&str> {
        self.environment.as_deref()
    }

    /// The share of requests traced, from 0 to 1.
    pub fn traces_sample_rate(&self) -> f32 {
        self.traces_sample_rate
    }

    /// The client options this configuration stands for, with the crate's scrubbing and panic
    /// reporting and `send_default_pii` off: a starting point to adjust for
    /// [`init_with`](Self::init_with), which adds the crate's transport.
    pub fn client_options(&self) -> sentry::ClientOptions {
        let mut options = sentry::ClientOptions::new();
        options.dsn = Some(self.dsn.clone());
        options.release = Some(Cow::Owned(self.release.clone()));
        options.environment = self.environment.clone().map(Cow::Owned);
        options.send_default_pii = false;
        options.attach_stacktrace = false;
        options.shutdown_timeout = self.flush_timeout;
        // The panic integration is ours: it does not block a request's thread.
        options.default_integrations = false;
        options.integrations = vec![
            Arc::new(sentry::integrations::backtrace::AttachStacktraceIntegration),
            Arc::new(sentry::integrations::contexts::ContextIntegration::default()),
            Arc::new(PanicIntegration),
            Arc::new(sentry::integrations::backtrace::ProcessStacktraceIntegration),
        ];
        let redactor = self.redactor.clone();
        options.before_send = Some(Arc::new(move |event| scrub::scrub_event(event, &redactor)));
        if self.traces_sample_rate > 0.0 {
            options = options.traces_sample_rate(self.traces_sample_rate);
        }
        options
    }

    /// Starts Sentry: binds the client to the main hub, installs the panic hook, and logs at
    /// INFO that reporting is on.
    ///
    /// Keep the returned guard alive until the end of `main`.
    pub fn init(self) -> SentryGuard {
        let options = self.client_options();
        self.init_with(options)
    }

    /// Starts Sentry with `options` (made from [`client_options`](Self::client_options) and
    /// adjusted), as [`init`](Self::init) does. The crate's transport, which bounds shutdown
    /// and counts losses, is added unless `options` brings its own (then
    /// [`SentryGuard::stats`] stays at zero).
    ///
    /// # Example
    ///
    /// ```
    /// # use http_observability::reporting::SentryConfig;
    /// let config = SentryConfig::new("http://k@127.0.0.1:9/1".parse()?, "abc1234");
    /// let mut options = config.client_options();
    /// options.server_name = Some("api-1".into());
    /// let _guard = config.init_with(options);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn init_with(self, mut options: sentry::ClientOptions) -> SentryGuard {
        let counters = Arc::new(Counters::default());
        if options.transport.is_none() {
            options.transport = Some(Arc::new(BoundedTransportFactory {
                counters: Arc::clone(&counters),
            }));
        }
        let guard = sentry::init(options);
        tracing::info!(
            target: super::TARGET,
            sentry_release = %self.release,
            environment = self.environment.as_deref(),
            traces_sample_rate = self.traces_sample_rate,
            "Sentry reporting is on"
        );
        SentryGuard {
            client: Some(guard),
            counters,
            flush_timeout: self.flush_timeout,
        }
    }
}

/// Reads the Sentry settings from the environment ([`SentryConfig::from_env`]) and starts
/// Sentry, or logs at INFO that it is off when `SENTRY_DSN` is unset or empty.
///
/// # Errors
///
/// [`SentryConfigError`] when a variable holds a value that cannot be used.
pub fn init_from_env(release: &Release) -> Result<SentryGuard, SentryConfigError> {
    Ok(start(SentryConfig::from_env(release)?))
}

/// Starts Sentry with `config`, or logs at INFO that it is off.
pub(crate) fn start(config: Option<SentryConfig>) -> SentryGuard {
    match config {
        Some(config) => config.init(),
        None => {
            tracing::info!(
                target: super::TARGET,
                "Sentry reporting is off: SENTRY_DSN is not set"
            );
            SentryGuard::disabled()
        }
    }
}

/// A Sentry variable with a value that cannot be used. The message names the variable,
/// never its value.
///
/// # Example
///
/// ```
/// use http_observability::release::{BuildInfo, Release};
/// use http_observability::reporting::SentryConfig;
///
/// let release = Release::resolve_with(BuildInfo::new("a", "1.0.0", None), |_| None);
/// let error = SentryConfig::from_lookup(&release, |name| {
///     (name == "SENTRY_DSN").then(|| "not a dsn".to_owned())
/// })
/// .unwrap_err();
/// assert_eq!(error.variable(), "SENTRY_DSN");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentryConfigError {
    variable: &'static str,
    problem: String,
}

impl SentryConfigError {
    /// The environment variable that is wrong.
    pub fn variable(&self) -> &'static str {
        self.variable
    }
}

impl fmt::Display for SentryConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.variable, self.problem)
    }
}

impl std::error::Error for SentryConfigError {}

/// Keeps Sentry running; when dropped, sends what is pending, waiting at most the flush
/// timeout (2 s by default), and logs how many events were lost, if any.
///
/// # `process::exit`
///
/// [`std::process::exit`] does not run destructors: events still queued are lost. Drop the
/// guard first (`drop(guard)`), or call [`flush`](Self::flush), before exiting that way. A
/// panic outside a request, which may end the process, is flushed by the panic hook itself,
/// waiting at most the flush timeout.
///
/// # Example
///
/// ```no_run
/// use http_observability::release::{self, Release};
///
/// # let fatal = false;
/// let release = release::set_current(Release::resolve(http_observability::release!()));
/// let sentry = http_observability::reporting::init_from_env(release)?;
/// // ...
/// if fatal {
///     drop(sentry); // sends what is pending, waiting at most the flush timeout
///     std::process::exit(1);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "Sentry stops, losing pending events, when the guard is dropped"]
pub struct SentryGuard {
    client: Option<sentry::ClientInitGuard>,
    counters: Arc<Counters>,
    flush_timeout: Duration,
}

impl fmt::Debug for SentryGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SentryGuard")
            .field("enabled", &self.is_enabled())
            .field("flush_timeout", &self.flush_timeout)
            .field("stats", &self.stats())
            .finish()
    }
}

impl SentryGuard {
    /// A guard for Sentry being off.
    pub fn disabled() -> Self {
        Self {
            client: None,
            counters: Arc::default(),
            flush_timeout: DEFAULT_FLUSH_TIMEOUT,
        }
    }

    /// Whether events are being sent.
    pub fn is_enabled(&self) -> bool {
        self.client.as_ref().is_some_and(|c| c.is_enabled())
    }

    /// Sends what is pending, waiting at most the flush timeout; `true` if all was sent.
    pub fn flush(&self) -> bool {
        self.client
            .as_ref()
            .is_none_or(|c| c.flush(Some(self.flush_timeout)))
    }

    /// What became of the events so far.
    pub fn stats(&self) -> DeliveryStats {
        self.counters.snapshot()
    }
}

impl Drop for SentryGuard {
    fn drop(&mut self) {
        let Some(client) = self.client.take() else {
            return;
        };
        drop(client); // flushes and closes, within `flush_timeout`
        let stats = self.stats();
        if stats.lost() > 0 {
            tracing::warn!(
                target: super::TARGET,
                submitted = stats.submitted(),
                delivered = stats.delivered(),
                refused = stats.refused(),
                failed = stats.failed(),
                dropped = stats.dropped(),
                "{} of {} Sentry events were not delivered",
                stats.lost(),
                stats.submitted()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::BuildInfo;

    fn release() -> Release {
        Release::resolve_with(BuildInfo::new("shop", "1.0.0", Some("abcdef1")), |_| None)
    }

    fn config(vars: &[(&str, &str)]) -> Result<Option<SentryConfig>, SentryConfigError> {
        SentryConfig::from_lookup(&release(), |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    const DSN: (&str, &str) = ("SENTRY_DSN", "http://0123abcd@127.0.0.1:9/1");

    #[test]
    fn no_dsn_means_off() {
        assert!(config(&[]).unwrap().is_none());
        assert!(config(&[("SENTRY_DSN", " ")]).unwrap().is_none());
    }

    #[test]
    fn malformed_dsn_names_the_variable_not_the_value() {
        let error = config(&[("SENTRY_DSN", "ftp:/secretkey")]).unwrap_err();
        assert_eq!(error.variable(), "SENTRY_DSN");
        assert!(!error.to_string().contains("secretkey"), "{error}");
    }

    #[test]
    fn environment_falls_back_to_app_env() {
        let c = config(&[DSN, ("APP_ENV", "staging")]).unwrap().unwrap();
        assert_eq!(c.environment_name(), Some("staging"));
        let c = config(&[DSN, ("APP_ENV", "staging"), ("SENTRY_ENVIRONMENT", "prod")])
            .unwrap()
            .unwrap();
        assert_eq!(c.environment_name(), Some("prod"));
    }

    #[test]
    fn traces_sample_rate_is_validated() {
        let c = config(&[DSN]).unwrap().unwrap();
        assert_eq!(c.traces_sample_rate(), 0.0);
        let c = config(&[DSN, ("SENTRY_TRACES_SAMPLE_RATE", "0.25")])
            .unwrap()
            .unwrap();
        assert_eq!(c.traces_sample_rate(), 0.25);
        for bad in ["1.5", "-0.1", "NaN", "half"] {
            let error = config(&[DSN, ("SENTRY_TRACES_SAMPLE_RATE", bad)]).unwrap_err();
            assert_eq!(error.variable(), "SENTRY_TRACES_SAMPLE_RATE", "{bad}");
        }
    }

    #[test]
    fn options_never_send_pii_and_carry_the_release() {
        let options = config(&[DSN]).unwrap().unwrap().client_options();
        assert!(!options.send_default_pii);
        assert_eq!(options.release.as_deref(), Some("abcdef1"));
        assert_eq!(options.shutdown_timeout, DEFAULT_FLUSH_TIMEOUT);
        assert!(options.before_send.is_some());
    }
}
