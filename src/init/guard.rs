//! The guard that keeps the log writer (and Sentry) running.

use std::fmt;

use tracing_appender::non_blocking::WorkerGuard;

/// Keeps the log writer running; dropping it flushes the queued lines and stops the writer
/// thread (with Sentry on, after flushing Sentry's events).
///
/// Bind it for the life of the program: `let _guard = init!()?;`. **Not** `let _ = init!()?;`,
/// which drops it at once and loses every later line.
///
/// # Example
///
/// ```no_run
/// let guard = http_observability::init!()?;
/// tracing::info!("shutting down");
/// drop(guard); // flushes
/// # Ok::<(), http_observability::InitError>(())
/// ```
#[must_use = "dropping the guard stops the log writer: bind it with `let _guard = ...`"]
pub struct Guard {
    // Dropped in this order: Sentry flushes its events first (and logs what it lost), then
    // the log writer flushes every line, that one included.
    #[cfg(feature = "sentry")]
    pub(super) sentry: Option<crate::reporting::SentryGuard>,
    pub(super) _worker: Option<WorkerGuard>,
}

impl Guard {
    /// The Sentry guard, when Sentry is on: its delivery statistics, or an early flush.
    #[cfg(feature = "sentry")]
    pub fn sentry(&self) -> Option<&crate::reporting::SentryGuard> {
        self.sentry.as_ref().filter(|guard| guard.is_enabled())
    }
}

impl fmt::Debug for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard")
            .field("non_blocking", &self._worker.is_some())
            .finish()
    }
}
