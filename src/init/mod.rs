//! One-call setup from the environment: [`init!()`](crate::init!), the [`Init`] builder,
//! [`Guard`] and [`InitError`]. This module is private; its items are re-exported at the crate
//! root, and [`Init`] documents the environment, writers, panics and extra layers.

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
