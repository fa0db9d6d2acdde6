//! The guard that keeps the log writer (and Sentry) running.

use std::fmt;

use crate::json::writer::WriterGuard;

/// Keeps the log writer running; dropping it (or [`shutdown`](Self::shutdown)) flushes
/// Sentry's events, then writes every queued line, and stops the writer thread.
///
/// Bind it for the life of the program: `let _guard = init!()?;`. **Not** `let _ = init!()?;`,
/// which drops it at once and loses every later line.
///
/// # How long shutdown takes
///
/// At most the Sentry flush timeout (2 s by default, with the `sentry` feature and Sentry on)
/// plus the log shutdown timeout (5 s by default, [`Init::shutdown_timeout`](crate::Init::shutdown_timeout)
/// or `LOG_SHUTDOWN_TIMEOUT`): 7 s, and usually a few milliseconds, when the output reads
/// what it is given. Add your own graceful shutdown (in-flight requests) to compare with the
/// platform's grace period between SIGTERM and SIGKILL (Kubernetes: 30 s by default;
/// `docker stop`: 10 s). Lines still queued when the bound passes are counted on stderr.
///
/// # `process::exit`
///
/// [`std::process::exit`] runs no destructors: shut the guard down first.
///
/// ```no_run
/// let guard = http_observability::init!()?;
/// # let fatal = true;
/// if fatal {
///     tracing::error!("cannot go on");
///     guard.shutdown(); // the line above is written, Sentry flushed
///     std::process::exit(1);
/// }
/// # Ok::<(), http_observability::InitError>(())
/// ```
#[must_use = "dropping the guard stops the log writer: bind it with `let _guard = ...`"]
pub struct Guard {
    // Dropped in this order: Sentry flushes its events first (and logs what it lost), then
    // the log writer writes every line, that one included.
    #[cfg(feature = "sentry")]
    pub(super) sentry: Option<crate::reporting::SentryGuard>,
    pub(super) writer: Option<WriterGuard>,
}

impl Guard {
    /// The Sentry guard, when Sentry is on: its delivery statistics, or an early flush.
    #[cfg(feature = "sentry")]
    pub fn sentry(&self) -> Option<&crate::reporting::SentryGuard> {
        self.sentry.as_ref().filter(|guard| guard.is_enabled())
    }

    /// Flushes Sentry, then writes the queued lines and stops the writer thread, each within
    /// its bound: what dropping the guard does, said explicitly.
    pub fn shutdown(self) {
        drop(self);
    }
}

impl fmt::Debug for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard")
            .field("non_blocking", &self.writer.is_some())
            .finish()
    }
}
