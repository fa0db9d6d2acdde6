//! Each setting resolved: the value set in code, else the environment, else the default.

use std::time::Duration;

use tracing_subscriber::filter::{Directive, EnvFilter};

use super::{InitError, LogFormat};
use crate::json::LogProfile;
use crate::release::{BuildInfo, Release};

/// The filter used when `RUST_LOG` is unset or empty.
const DEFAULT_FILTER: &str = "info";

/// Reads one environment variable (the process's, or a test's).
pub(super) type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// A variable's value, unless it is unset or blank.
pub(super) fn non_empty(env: Env<'_>, name: &str) -> Option<String> {
    env(name).filter(|v| !v.trim().is_empty())
}

/// The release: the configured one, else the release chain over the caller's build facts.
pub(super) fn resolve_release(
    configured: Option<String>,
    build: Option<BuildInfo>,
    env: Env<'_>,
) -> Release {
    match configured {
        Some(value) => Release::configured(value),
        None => Release::resolve_with(build.unwrap_or_else(unknown_build), env),
    }
}

/// The environment: the configured one, else `SENTRY_ENVIRONMENT`, else `APP_ENV`.
pub(super) fn resolve_environment(configured: Option<String>, env: Env<'_>) -> Option<String> {
    configured
        .or_else(|| non_empty(env, "SENTRY_ENVIRONMENT"))
        .or_else(|| non_empty(env, "APP_ENV"))
}

/// The service: the configured one, else `SERVICE_NAME`, else the binary's name.
pub(super) fn resolve_service(configured: Option<String>, env: Env<'_>) -> String {
    configured
        .or_else(|| non_empty(env, "SERVICE_NAME"))
        .unwrap_or_else(binary_name)
}

/// The filter: the configured directives, else `RUST_LOG`.
pub(super) fn env_filter(configured: Option<String>, env: Env<'_>) -> Result<EnvFilter, InitError> {
    let (filter_input, directives) = match configured {
        Some(directives) => ("Init::filter", directives),
        None => ("RUST_LOG", env("RUST_LOG").unwrap_or_default()),
    };
    parse_filter(filter_input, &directives)
}

/// The format: the configured one, else `LOG_FORMAT`, else JSON.
pub(super) fn log_format(
    configured: Option<LogFormat>,
    env: Env<'_>,
) -> Result<LogFormat, InitError> {
    Ok(match configured {
        Some(format) => format,
        None => match env("LOG_FORMAT") {
            Some(value) if !value.trim().is_empty() => LogFormat::parse(&value, "LOG_FORMAT")?,
            _ => LogFormat::Json,
        },
    })
}

/// The profile: the configured one, else `LOG_PROFILE`, else the default.
pub(super) fn log_profile(
    configured: Option<LogProfile>,
    env: Env<'_>,
) -> Result<LogProfile, InitError> {
    if let Some(profile) = configured {
        return Ok(profile);
    }
    let Some(value) = non_empty(env, "LOG_PROFILE") else {
        return Ok(LogProfile::Default);
    };
    value.parse().map_err(|_| InitError::UnknownLogProfile {
        input: "LOG_PROFILE",
        value,
    })
}

/// The shutdown timeout: the configured one, else `LOG_SHUTDOWN_TIMEOUT` (seconds), else 5 s.
pub(super) fn shutdown_timeout(
    configured: Option<Duration>,
    env: Env<'_>,
) -> Result<Duration, InitError> {
    if let Some(timeout) = configured {
        return Ok(timeout);
    }
    let Some(value) = non_empty(env, "LOG_SHUTDOWN_TIMEOUT") else {
        return Ok(crate::json::writer::DEFAULT_SHUTDOWN_TIMEOUT);
    };
    value
        .trim()
        .parse::<f64>()
        .ok()
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
        .ok_or(InitError::InvalidShutdownTimeout {
            input: "LOG_SHUTDOWN_TIMEOUT",
            value,
        })
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
pub(super) fn binary_name() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|path| Some(path.file_stem()?.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "unknown".to_owned())
}
