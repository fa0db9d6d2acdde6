//! The JSON-lines tracing formatter.
