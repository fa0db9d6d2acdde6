//! Why logging could not be set up.

use std::fmt;

use tracing_subscriber::filter::ParseError;

use crate::json::LogProfile;

/// Why logging could not be set up.
///
/// # Example
///
/// ```
/// use http_observability::{Init, InitError};
///
/// let error = Init::new().filter("info,my_crate=loud").build().unwrap_err();
/// assert!(matches!(error, InitError::InvalidFilter { .. }));
/// assert!(error.to_string().contains("my_crate=loud"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum InitError {
    /// A global `tracing` subscriber is already set (`init!()` or `Init::install` called
    /// twice, or another library set one).
    AlreadyInitialized,
    /// A filter directive could not be parsed.
    #[non_exhaustive]
    InvalidFilter {
        /// Where the filter came from: `RUST_LOG` or `Init::filter`.
        input: &'static str,
        /// The first invalid directive.
        directive: String,
        /// The parser's reason.
        source: ParseError,
    },
    /// The format is neither `json` nor `pretty`.
    #[non_exhaustive]
    UnknownLogFormat {
        /// Where the value came from: `LOG_FORMAT`.
        input: &'static str,
        /// The value given.
        value: String,
    },
    /// The log profile is none of `default`, `gcp`, `datadog`, `ecs`, `aws`, `azure`.
    #[non_exhaustive]
    UnknownLogProfile {
        /// Where the value came from: `LOG_PROFILE`.
        input: &'static str,
        /// The value given.
        value: String,
    },
    /// The shutdown timeout is not a number of seconds (such as `5` or `0.5`).
    #[non_exhaustive]
    InvalidShutdownTimeout {
        /// Where the value came from: `LOG_SHUTDOWN_TIMEOUT`.
        input: &'static str,
        /// The value given.
        value: String,
    },
    /// A Sentry variable (`SENTRY_DSN`, `SENTRY_TRACES_SAMPLE_RATE`) is malformed.
    #[cfg(feature = "sentry")]
    Sentry(crate::reporting::SentryConfigError),
}

impl fmt::Display for InitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AlreadyInitialized => f.write_str(
                "a global tracing subscriber is already set: logging can be initialised once per process",
            ),
            Self::InvalidFilter {
                input,
                directive,
                source,
            } => write!(f, "invalid {input} directive `{directive}`: {source}"),
            Self::UnknownLogFormat { input, value } => {
                write!(f, "unknown {input} `{value}`: expected `json` or `pretty`")
            }
            Self::UnknownLogProfile { input, value } => {
                write!(f, "unknown {input} `{value}`: expected one of ")?;
                for (i, profile) in LogProfile::ALL.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}`{profile}`")?;
                }
                Ok(())
            }
            Self::InvalidShutdownTimeout { input, value } => write!(
                f,
                "invalid {input} `{value}`: expected a number of seconds, such as `5` or `0.5`"
            ),
            #[cfg(feature = "sentry")]
            Self::Sentry(error) => fmt::Display::fmt(error, f),
        }
    }
}

impl std::error::Error for InitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::InvalidFilter { source, .. } => Some(source),
            #[cfg(feature = "sentry")]
            Self::Sentry(error) => Some(error),
            _ => None,
        }
    }
}
