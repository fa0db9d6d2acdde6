//! One-call setup from the environment: [`init!()`](crate::init!) and the [`Init`] builder
//! install JSON logging (and Sentry) and return the [`Guard`] that flushes it.
//!
//! # Example
//!
//! ```no_run
//! fn main() -> Result<(), http_observability::InitError> {
//!     // Everything from the environment, with this crate's release; keep the guard.
//!     let _guard = http_observability::init!()?;
//!     tracing::info!("started");
//!     Ok(())
//! }
//! ```
//!
//! This module is private: its items are re-exported at the crate root, and [`Init`]
//! documents the environment, writers, panics, Sentry and extra layers. [`InitError`] says
//! which input was wrong.

mod build;
mod builder;
mod error;
mod format;
mod guard;
mod panic_hook;
mod pretty;
mod resolve;
#[cfg(test)]
mod test_capture;
mod writer;

pub use builder::Init;
pub use error::InitError;
pub use format::LogFormat;
pub use guard::Guard;
