//! One-call setup from the environment: [`init()`], the [`Init`] builder, [`Guard`] and
//! [`InitError`]. This module is private; its items are re-exported at the crate root, and
//! [`Init`] documents the environment, writers, panics and extra layers.

mod build;
mod builder;
mod error;
mod format;
mod guard;
mod panic_hook;
mod resolve;
mod writer;

pub use builder::Init;
pub use error::InitError;
pub use format::LogFormat;
pub use guard::Guard;

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
