//! The JSON-lines tracing formatter.

mod encode;
mod fields;
mod layer;

pub use layer::{DEFAULT_MAX_VALUE_LEN, DROPPED_LINES_TARGET, JsonLayer};
